import { describeActiveRules, type ActiveRules } from '../alerts/describe-active-rules';
import type { CheckFinding } from '../alerts/evaluate-check';
import type { Observation } from '../alerts/rules';
import { ENDPOINTS, type AccountConfig, type Endpoint } from '../config/types';
import { formatTrafficBytes } from '../sendpulse/fields/traffic-bytes';
import { numberField, textField, type Reading } from '../sendpulse/readings';
import type { FailureReason } from '../state/reading-store';
import { formatTable } from './format-table';
import { atOrAboveRange, belowRange, EXIT_CODES, formatPluginOutput, PLUGIN_SERVICE, worseStatus, type PerfDatum, type PluginStatus } from './nagios-output';

/** One account's answers from a single poll of every endpoint; each failed endpoint has a message and a reason. */
export interface PollResult {
  account: AccountConfig;
  readings: Partial<Record<Endpoint, Reading>>;
  errors: Partial<Record<Endpoint, string>>;
  reasons: Partial<Record<Endpoint, FailureReason>>;
}

/** An account as `check` reports it: the poll, the rules' findings and observations, the plugin state, the rules in force. */
export interface AccountCheck {
  poll: PollResult;
  findings: CheckFinding[];
  /** Every rule's observation (for the perfdata thresholds). */
  observations: Observation[];
  status: PluginStatus;
  /** The failures, one line per distinct message (`user_info, team, balance: network error: ...`). */
  errors: string[];
  rules: ActiveRules;
}

/**
 * The failed endpoints grouped by message, so an account whose token request failed (or whose API
 * cannot be reached) is reported once, naming every endpoint it cost: `user_info, team, balance: ...`.
 */
export function groupErrors(errors: Partial<Record<Endpoint, string>>): string[] {
  const groups = new Map<string, Endpoint[]>();
  for (const [endpoint, message] of Object.entries(errors) as [Endpoint, string][]) {
    // The client's messages start with the endpoint that failed; the rest is what is shared.
    const rest = message.startsWith(`${endpoint}: `) ? message.slice(endpoint.length + 2) : message;
    groups.set(rest, [...(groups.get(rest) ?? []), endpoint]);
  }
  return [...groups].map(([rest, endpoints]) => `${endpoints.join(', ')}: ${rest}`);
}

/** The plugin state of one account: its worst firing rule, else UNKNOWN when a poll failed, else OK. */
export function accountCheck(poll: PollResult, verdict: { findings: CheckFinding[]; observations: Observation[] }): AccountCheck {
  const errors = groupErrors(poll.errors);
  const findings = [...verdict.findings].sort((a, b) => Number(b.severity === 'critical') - Number(a.severity === 'critical'));
  const status = findings.some((p) => p.severity === 'critical') ? 'CRITICAL' : findings.length > 0 ? 'WARNING' : errors.length > 0 ? 'UNKNOWN' : 'OK';
  return { poll, findings, observations: verdict.observations, status, errors, rules: describeActiveRules(poll.account) };
}

/** The state of the whole run (the worst account's). */
export function overallStatus(checks: readonly AccountCheck[]): PluginStatus {
  return checks.reduce<PluginStatus>((s, c) => worseStatus(s, c.status), 'OK');
}

/** The status line text: what fires, per account (the critical ones first), and what could not be read. */
export function statusText(checks: readonly AccountCheck[]): string {
  const parts: string[] = [];
  const firing = [...checks].sort((a, b) => Number(b.status === 'CRITICAL') - Number(a.status === 'CRITICAL'));
  for (const c of firing) {
    if (c.findings.length > 0) parts.push(`${c.poll.account.name}: ${c.findings.map((p) => p.headline).join(', ')}`);
  }
  for (const c of checks) {
    if (c.findings.length === 0 && c.errors.length > 0) parts.push(`${c.poll.account.name}: no data (${c.errors[0]})`);
  }
  if (parts.length > 0) return parts.join('; ');
  const n = checks.length;
  const bare = checks.filter((c) => c.rules.noValueRule).map((c) => c.poll.account.name);
  return `${n} account${n === 1 ? '' : 's'} polled, no rule fires${bare.length ? ` (no value rule for ${bare.join(', ')})` : ''}`;
}

function money(b: Reading | undefined): string {
  const main = numberField(b, 'balance.main');
  if (main === null) return '-';
  return `${main.toFixed(2)} ${textField(b, 'balance.currency') ?? ''}`.trim();
}

/** "120 of 1000 (12.5 Mb of 1 Gb)": SMTP credits left, with the plan and the traffic when SendPulse sends them. */
function smtpLeft(b: Reading | undefined): string {
  const left = numberField(b, 'smtp.email_qty_left');
  const qty = numberField(b, 'smtp.email_qty');
  const traffic = numberField(b, 'smtp.traffic_limit_left');
  const trafficLimit = numberField(b, 'smtp.traffic_limit');
  const parts: string[] = [];
  if (left !== null) parts.push(qty !== null ? `${left} of ${qty}` : String(left));
  if (traffic !== null) parts.push(`(${formatTrafficBytes(traffic)}${trafficLimit !== null ? ` of ${formatTrafficBytes(trafficLimit)}` : ''})`);
  return parts.join(' ') || '-';
}

const END_FIELDS = [['email', 'email.finished_time'], ['smtp', 'smtp.end_date'], ['push', 'push.end_date']] as const;

function tariffEnds(b: Reading | undefined, nowSec: number): string {
  const parts: string[] = [];
  for (const [service, field] of END_FIELDS) {
    const end = numberField(b, field);
    if (end === null) continue;
    const days = (end - nowSec) / 86400;
    const date = new Date(end * 1000).toISOString().slice(0, 10);
    parts.push(`${service} ${date} (${days < 0 ? 'ended' : `${Math.floor(days)}d left`})`);
  }
  return parts.join(', ') || '-';
}

/** Failed endpoints' errors (once per message), then the unreadable fields of the good ones ("push.end_date: is not a date"). */
function problems(c: AccountCheck): string {
  const out = [...c.errors];
  for (const e of ENDPOINTS) for (const p of c.poll.readings[e]?.unreadable ?? []) out.push(`${p.path}: ${p.problem}`);
  return out.join('; ');
}

/** The table: one row per account. */
export function formatCheckTable(checks: readonly AccountCheck[], nowSec = Date.now() / 1000): string {
  const rows = checks.map((c) => {
    const b = c.poll.readings.balance;
    const active = numberField(c.poll.readings.team, 'members.active');
    const inactive = numberField(c.poll.readings.team, 'members.inactive');
    const emailsLeft = numberField(b, 'email.emails_left');
    return [
      c.poll.account.name,
      money(b),
      emailsLeft !== null ? String(emailsLeft) : '-',
      smtpLeft(b),
      tariffEnds(b, nowSec),
      active !== null && inactive !== null ? String(active + inactive) : '-',
      problems(c) || 'ok',
    ];
  });
  return formatTable(['ACCOUNT', 'BALANCE', 'EMAILS LEFT', 'SMTP LEFT', 'TARIFF ENDS', 'TEAM', 'ERRORS'], rows);
}

/** The lines under the table: each firing rule, then each account's rules in force. */
export function detailLines(checks: readonly AccountCheck[]): string[] {
  return [
    ...checks.flatMap((c) => c.findings.map((p) => `${c.poll.account.name}: ${p.severity.toUpperCase()}: ${p.headline}`)),
    ...checks.map((c) => `${c.poll.account.name}: ${c.rules.summary}`),
  ];
}

/**
 * One perfdata series: the reading field it shows, the rule (and service) whose levels give its
 * warning/critical ranges, the unit, and the limit field (`max`) when SendPulse sends one.
 */
interface PerfRow {
  label: string;
  field: string;
  rule?: string;
  service?: string;
  uom?: string;
  /** The rule's levels are a ratio of the limit (subscribers): ranges are those fractions of `max`. */
  ratioOfMax?: boolean;
  max?: string;
}

const PERF_ROWS: readonly PerfRow[] = [
  { label: 'balance', field: 'balance.main', rule: 'balance', service: 'balance' },
  { label: 'emails_left', field: 'email.emails_left', rule: 'emailsLeft', service: 'email' },
  { label: 'subscribers', field: 'email.current_subscribers', rule: 'subscribers', service: 'email', ratioOfMax: true, max: 'email.maximum_subscribers' },
  { label: 'smtp_emails_left', field: 'smtp.email_qty_left', rule: 'smtpEmailsLeft', service: 'smtp', max: 'smtp.email_qty' },
  { label: 'smtp_traffic_left', field: 'smtp.traffic_limit_left', rule: 'smtpTraffic', service: 'smtp', uom: 'B', max: 'smtp.traffic_limit' },
];

/** The warning/critical ranges of an observation, scaled (ms to s) or as fractions of `max`; none when the rule is off. */
function ranges(o: Observation | undefined, scale: number, max: number | null, ratioOfMax: boolean): Pick<PerfDatum, 'warn' | 'crit'> {
  if (!o) return {};
  const at = (t: number) => (ratioOfMax ? (max === null ? NaN : Math.ceil(t * max)) : t / scale);
  const range = (t: number) => {
    const n = at(t);
    if (!Number.isFinite(n)) return undefined;
    return o.direction === 'below' ? belowRange(n) : atOrAboveRange(n);
  };
  const out: Pick<PerfDatum, 'warn' | 'crit'> = {};
  const warn = range(o.thresholds.warning);
  const crit = range(o.thresholds.critical);
  if (warn) out.warn = warn;
  if (crit) out.crit = crit;
  return out;
}

/**
 * Performance data per account: balance, e-mails left, subscribers, SMTP credits and traffic, time
 * left per tariff (seconds) and team members, each with the warning/critical ranges of its rule as
 * the rules observed them (a `10%` level already resolved against the plan).
 */
export function perfData(checks: readonly AccountCheck[], nowSec: number): PerfDatum[] {
  const out: PerfDatum[] = [];
  for (const c of checks) {
    const name = c.poll.account.name;
    const b = c.poll.readings.balance;
    const obs = (rule: string, service: string) => c.observations.find((o) => o.rule === rule && o.service === service);
    for (const row of PERF_ROWS) {
      const value = numberField(b, row.field);
      if (value === null) continue;
      const max = row.max ? numberField(b, row.max) : null;
      out.push({
        label: `${name}_${row.label}`, value, ...(row.uom ? { uom: row.uom } : {}),
        ...ranges(row.rule ? obs(row.rule, row.service!) : undefined, 1, max, row.ratioOfMax ?? false),
        ...(row.label === 'balance' ? {} : { min: 0 }), ...(max !== null ? { max } : {}),
      });
    }
    for (const [service, field] of END_FIELDS) {
      const end = numberField(b, field);
      if (end === null) continue;
      out.push({ label: `${name}_${service}_tariff_left`, value: Math.round(end - nowSec), uom: 's', ...ranges(obs('tariffExpiry', service), 1000, null, false) });
    }
    const active = numberField(c.poll.readings.team, 'members.active');
    const inactive = numberField(c.poll.readings.team, 'members.inactive');
    if (active !== null && inactive !== null) out.push({ label: `${name}_team_members`, value: active + inactive, min: 0 });
  }
  return out;
}

/** `--format nagios`: the status line with perfdata, then the table and the details as long output. */
export function formatNagios(checks: readonly AccountCheck[], nowSec = Date.now() / 1000): string {
  return formatPluginOutput(PLUGIN_SERVICE, overallStatus(checks), statusText(checks), perfData(checks, nowSec),
    [formatCheckTable(checks, nowSec), ...detailLines(checks)]);
}

/** `--format table`: the table, then the details. */
export function formatTableReport(checks: readonly AccountCheck[], nowSec = Date.now() / 1000): string {
  return [formatCheckTable(checks, nowSec), ...detailLines(checks)].join('\n');
}

/** `--format json`: the state, the status text and per account its readings, problems, errors and rules. */
export function formatJson(checks: readonly AccountCheck[]): string {
  const status = overallStatus(checks);
  return JSON.stringify({
    status, exitCode: EXIT_CODES[status], text: statusText(checks),
    accounts: checks.map((c) => ({
      name: c.poll.account.name, status: c.status,
      problems: c.findings.map((f) => ({ severity: f.severity, headline: f.headline, rule: f.observation.rule, service: f.observation.service })),
      errors: c.errors, rules: c.rules.rules, noValueRule: c.rules.noValueRule,
      readings: Object.fromEntries(Object.entries(c.poll.readings).map(([e, r]) => [e, r?.values ?? null])),
    })),
  }, null, 2);
}

/** A run that could not check anything (bad configuration, an internal error): an UNKNOWN status line first. */
export function formatUnknown(text: string, details: readonly string[]): string {
  return formatPluginOutput(PLUGIN_SERVICE, 'UNKNOWN', text, [], details);
}
