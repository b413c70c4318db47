import { POLLERS } from '../../jobs/pollers';
import { evaluateCheck } from '../alerts/evaluate-check';
import { failureReason } from '../poller/failure-reason';
import type { AccountState, EndpointState, FailureReason } from '../state/reading-store';
import { ENDPOINTS, type AccountConfig, type Endpoint } from '../config/types';
import type { BalanceReading, ReadingByEndpoint } from '../sendpulse/readings';
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
  const ep = <E extends Endpoint>(e: E): EndpointState<E> => {
    const reading = (r.readings[e] ?? null) as ReadingByEndpoint[E] | null;
    const reason = r.reasons[e] ?? null;
    return { reading, lastSuccessMs: reading ? now : null, lastAttemptMs: now, ok: reason === null, reason };
  };
  const authFailed = Object.values(r.reasons).includes('auth');
  return { endpoints: { user_info: ep('user_info'), team: ep('team'), balance: ep('balance') }, auth: authFailed ? 'failing' : 'ok' };
}

/** One account's answers from a single poll of every endpoint. */
export interface CheckResult {
  account: AccountConfig;
  readings: Partial<ReadingByEndpoint>;
  errors: Partial<Record<Endpoint, string>>;
  reasons: Partial<Record<Endpoint, FailureReason>>;
}

/** Polls every endpoint of every account once (no Redis needed). */
export async function pollOnce(accounts: readonly AccountConfig[], client: SendPulseClient): Promise<CheckResult[]> {
  return Promise.all(accounts.map(async (account) => {
    const result: CheckResult = { account, readings: {}, errors: {}, reasons: {} };
    for (const endpoint of ENDPOINTS) {
      const poller = POLLERS[endpoint];
      try {
        const body = await client.get(account, endpoint, poller.path);
        (result.readings as Record<string, unknown>)[endpoint] = poller.parse(body, account);
      } catch (err) {
        result.errors[endpoint] = err instanceof Error ? err.message : String(err);
        result.reasons[endpoint] = failureReason(err);
      }
    }
    return result;
  }));
}

function money(b: BalanceReading['balance']): string {
  if (!b || b.main === null) return '-';
  return `${b.main.toFixed(2)} ${b.currency ?? ''}`.trim();
}

function tariffEnds(b: BalanceReading | undefined, nowSec: number): string {
  if (!b) return '-';
  const parts: string[] = [];
  for (const [service, t] of [['email', b.email], ['smtp', b.smtp], ['push', b.push]] as const) {
    if (!t || t.endTime === null) continue;
    const days = (t.endTime - nowSec) / 86400;
    const date = new Date(t.endTime * 1000).toISOString().slice(0, 10);
    parts.push(`${service} ${date} (${days < 0 ? 'ended' : `${Math.floor(days)}d left`})`);
  }
  return parts.join(', ') || '-';
}

/** The table `check` prints: one row per account. */
export function formatCheckTable(results: readonly CheckResult[], nowSec = Date.now() / 1000): string {
  const rows = results.map((r) => {
    const b = r.readings.balance;
    const team = r.readings.team;
    const errors = Object.values(r.errors).join('; ');
    return [
      r.account.name,
      money(b?.balance ?? null),
      b?.email?.emailsLeft != null ? String(b.email.emailsLeft) : '-',
      tariffEnds(b, nowSec),
      team ? String(team.active + team.inactive) : '-',
      errors || 'ok',
    ];
  });
  return formatTable(['ACCOUNT', 'BALANCE', 'EMAILS LEFT', 'TARIFF ENDS', 'TEAM', 'ERRORS'], rows);
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
