import { CHART_FIELDS } from '../alerts/observe-rules';
import { ENDPOINT_DEFS } from '../sendpulse/endpoints';
import { date } from '../sendpulse/fields/field-readers';
import { numberField, textField } from '../sendpulse/readings';
import { runwayFrom, type HistoryPoint } from '../state/history-store';
import type { AccountState } from '../state/reading-store';
import { endpointStatuses } from './endpoint-status';
import type { AccountSeverity, AccountSummary, FiringRef, Runway, Trend } from './status-types';

const DAY_MS = 86_400_000;

/**
 * A forecast further out than this is shown as "not falling": a series that does not move gets a
 * least-squares slope of float noise (1e-30 per ms), which would read as "runs out in 10^27 days".
 */
const FOREVER_MS = 10 * 365 * DAY_MS;

/** Points a trend keeps on the overview (a sparkline needs no more). */
export const SPARKLINE_POINTS = 40;

/** Short names of the series, for charts; other fields use their doc from the endpoint table. */
const SERIES_LABELS: Readonly<Record<string, string>> = {
  'balance.main': 'Balance',
  'email.emails_left': 'E-mails left',
  'smtp.email_qty_left': 'SMTP credits left',
};

const BALANCE_FIELDS = ENDPOINT_DEFS.balance.fields;
/** The tariff end dates of the balance endpoint (`email.finished_time`, `smtp.end_date`, `push.end_date`). */
const END_FIELDS = BALANCE_FIELDS.filter((f) => f.read === date).map((f) => f.path);

/** A series' label for people. */
export function seriesLabel(field: string): string {
  return SERIES_LABELS[field] ?? Object.values(ENDPOINT_DEFS).flatMap((d) => d.fields).find((f) => f.path === field)?.doc ?? field;
}

/** How the runway forecast is judged (HistoryStore's minPoints and minSpanMs). */
export interface RunwayRule {
  minPoints: number;
  minSpanMs: number;
}

/** The forecast of a series whose latest value is `current`, from its points. */
export function runwayOf(points: readonly HistoryPoint[], current: number | null, rule: RunwayRule): Runway {
  if (current === null) return { status: 'insufficient_history', daysToZero: null };
  const ms = runwayFrom(points, current, rule.minPoints, rule.minSpanMs);
  if (ms === null) return { status: 'insufficient_history', daysToZero: null };
  if (!Number.isFinite(ms) || ms > FOREVER_MS) return { status: 'not_falling', daysToZero: null };
  return { status: 'falling', daysToZero: ms / DAY_MS };
}

/** At most `n` points, evenly spaced, the first and the newest kept. */
export function thin(points: readonly HistoryPoint[], n: number): HistoryPoint[] {
  if (points.length <= n) return [...points];
  const out: HistoryPoint[] = [];
  for (let i = 0; i < n; i++) out.push(points[Math.round((i * (points.length - 1)) / (n - 1))]);
  return out;
}

/** A Trend of a series from its points; `current` is the latest reading's value (the forecast starts there). */
export function trendOf(field: string, points: readonly HistoryPoint[], current: number | null, rule: RunwayRule, maxPoints = Infinity): Trend {
  return {
    field,
    label: seriesLabel(field),
    points: thin(points, maxPoints).map((p) => [p.atMs, p.value]),
    runway: runwayOf(points, current, rule),
  };
}

const RANK: Record<AccountSeverity, number> = { critical: 0, warning: 1, unknown: 2, ok: 3 };

/** Sort key of a severity: critical first, then warning, no data, ok. */
export function severityRank(s: AccountSeverity): number {
  return RANK[s];
}

/** What an AccountSummary is made of: the state read from Redis and the history of the chart fields. */
export interface SummaryInput {
  name: string;
  state: AccountState;
  firing: FiringRef[];
  /** Points of each chart field (CHART_FIELDS), oldest first. */
  points: Readonly<Record<string, readonly HistoryPoint[]>>;
  pausedUntilMs: number | null;
  now: number;
  runwayRule: RunwayRule;
  /** Points per trend; default all. */
  maxTrendPoints?: number;
}

/** The overview's line for an account; pure. */
export function accountSummary(input: SummaryInput): AccountSummary {
  const { state, now } = input;
  const balance = state.endpoints.balance.reading;
  const team = state.endpoints.team.reading;
  const firing = [...input.firing].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1));
  const everPolled = Object.values(state.endpoints).some((e) => e.lastSuccessMs !== null);
  const severity: AccountSeverity = firing[0]?.severity ?? (everPolled ? 'ok' : 'unknown');
  let tariffEnd: AccountSummary['tariffEnd'] = null;
  for (const path of END_FIELDS) {
    const end = numberField(balance, path);
    if (end === null) continue;
    const service = path.slice(0, path.indexOf('.'));
    if (tariffEnd === null || end * 1000 < Date.parse(tariffEnd.at)) {
      tariffEnd = { service, tariff: textField(balance, `${service}.tariff_name`), at: new Date(end * 1000).toISOString(), daysLeft: (end * 1000 - now) / DAY_MS };
    }
  }
  const endpoints = endpointStatuses(state);
  return {
    name: input.name,
    url: `/accounts/${encodeURIComponent(input.name)}`,
    severity,
    firing,
    balance: balance ? { main: numberField(balance, 'balance.main'), bonus: numberField(balance, 'balance.bonus'), currency: textField(balance, 'balance.currency') } : null,
    emailsLeft: numberField(balance, 'email.emails_left'),
    smtpEmailsLeft: numberField(balance, 'smtp.email_qty_left'),
    tariffEnd,
    team: team ? { active: numberField(team, 'members.active'), inactive: numberField(team, 'members.inactive') } : null,
    failing: state.auth === 'failing' || endpoints.some((e) => e.lastAttempt !== null && !e.ok),
    endpoints,
    pausedUntil: input.pausedUntilMs !== null && input.pausedUntilMs > now ? new Date(input.pausedUntilMs).toISOString() : null,
    trends: CHART_FIELDS.map((f) => trendOf(f, input.points[f] ?? [], numberField(balance, f), input.runwayRule, input.maxTrendPoints)),
  };
}
