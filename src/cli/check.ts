import { evaluateCheck } from '../alerts/evaluate-check';
import { failureReason } from '../poller/failure-reason';
import type { AccountState, EndpointState, FailureReason } from '../state/reading-store';
import { ENDPOINTS, type AccountConfig, type Endpoint } from '../config/types';
import { ENDPOINT_DEFS } from '../sendpulse/endpoints';
import { formatTrafficBytes } from '../sendpulse/fields/traffic-bytes';
import { numberField, textField, type Reading } from '../sendpulse/readings';
import { OPEN_GATE } from '../sendpulse/request-gate';
import { SendPulseClient } from '../sendpulse/sendpulse-client';
import { MemoryTokens } from '../sendpulse/token-store';
import { loadConfigOrReport } from './load-config-or-report';
import { formatTable } from './format-table';

/** Nagios plugin exit codes. */
export const NAGIOS = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;

/** Nagios order: CRITICAL > WARNING > UNKNOWN > OK. */
function worse(a: number, b: number): number {
  const rank = [0, 2, 3, 1]; // by code: OK 0, WARNING 2, CRITICAL 3, UNKNOWN 1
  return rank[b] > rank[a] ? b : a;
}

/** A one-shot poll as the state the alert rules read. */
function toAccountState(r: CheckResult, now: number): AccountState {
  const ep = (e: Endpoint): EndpointState => {
    const reading = r.readings[e] ?? null;
    const reason = r.reasons[e] ?? null;
    // Unreadable since now: `check` judges one poll, so an unreadable field never reaches `unreadable`'s threshold.
    const unreadableSince = Object.fromEntries((reading?.unreadable ?? []).map((p) => [p.path, now]));
    return { reading, lastSuccessMs: reading ? now : null, lastAttemptMs: now, ok: reason === null, reason, unreadableSince };
  };
  const authFailed = Object.values(r.reasons).includes('auth');
  return { endpoints: Object.fromEntries(ENDPOINTS.map((e) => [e, ep(e)])) as AccountState['endpoints'], auth: authFailed ? 'failing' : 'ok' };
}

/** One account's answers from a single poll of every endpoint. */
export interface CheckResult {
  account: AccountConfig;
  readings: Partial<Record<Endpoint, Reading>>;
  errors: Partial<Record<Endpoint, string>>;
  reasons: Partial<Record<Endpoint, FailureReason>>;
}

/** Polls every endpoint of every account once (no Redis needed). */
export async function pollOnce(accounts: readonly AccountConfig[], client: SendPulseClient): Promise<CheckResult[]> {
  return Promise.all(accounts.map(async (account) => {
    const result: CheckResult = { account, readings: {}, errors: {}, reasons: {} };
    for (const endpoint of ENDPOINTS) {
      const def = ENDPOINT_DEFS[endpoint];
      try {
        const body = await client.get(account, endpoint, def.path);
        result.readings[endpoint] = def.parse(body, { timeZone: account.timezone });
      } catch (err) {
        result.errors[endpoint] = err instanceof Error ? err.message : String(err);
        result.reasons[endpoint] = failureReason(err);
      }
    }
    return result;
  }));
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

/** Failed endpoints' errors, then the unreadable fields of the good ones ("push.end_date: is not a date"). */
function problems(r: CheckResult): string {
  const out = Object.values(r.errors) as string[];
  for (const e of ENDPOINTS) for (const p of r.readings[e]?.unreadable ?? []) out.push(`${p.path}: ${p.problem}`);
  return out.join('; ');
}

/** The table `check` prints: one row per account. */
export function formatCheckTable(results: readonly CheckResult[], nowSec = Date.now() / 1000): string {
  const rows = results.map((r) => {
    const b = r.readings.balance;
    const active = numberField(r.readings.team, 'members.active');
    const inactive = numberField(r.readings.team, 'members.inactive');
    const emailsLeft = numberField(b, 'email.emails_left');
    return [
      r.account.name,
      money(b),
      emailsLeft !== null ? String(emailsLeft) : '-',
      smtpLeft(b),
      tariffEnds(b, nowSec),
      active !== null && inactive !== null ? String(active + inactive) : '-',
      problems(r) || 'ok',
    ];
  });
  return formatTable(['ACCOUNT', 'BALANCE', 'EMAILS LEFT', 'SMTP LEFT', 'TARIFF ENDS', 'TEAM', 'ERRORS'], rows);
}

/** `sendpulse-monitor check [--config FILE]`: one poll of everything, a table, a Nagios exit code. */
export async function main(argv: string[]): Promise<number> {
  const config = loadConfigOrReport(argv);
  if (!config) return NAGIOS.UNKNOWN;
  const client = new SendPulseClient({
    baseUrl: config.sendpulse.baseUrl,
    timeoutMs: config.sendpulse.timeout,
    tokens: new MemoryTokens(),
    gate: OPEN_GATE,
  });
  try {
    const results = await pollOnce(config.accounts, client);
    process.stdout.write(formatCheckTable(results) + '\n');
    const now = Date.now();
    let code: number = NAGIOS.OK;
    for (const r of results) {
      // The alert rules decide WARNING/CRITICAL; a failed poll with no rule firing is UNKNOWN.
      const verdict = evaluateCheck(config, r.account, toAccountState(r, now), now);
      for (const p of verdict.problems) process.stdout.write(`${r.account.name}: ${p}\n`);
      const c = verdict.severity === 'critical' ? NAGIOS.CRITICAL : verdict.severity === 'warning' ? NAGIOS.WARNING
        : Object.keys(r.errors).length > 0 ? NAGIOS.UNKNOWN : NAGIOS.OK;
      code = worse(code, c);
    }
    return code;
  } finally {
    await client.close();
  }
}
