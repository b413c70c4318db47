import { evaluateCheck } from '../alerts/evaluate-check';
import { loadConfig } from '../config/load-config';
import { failureReason } from '../poller/failure-reason';
import type { AccountState, EndpointState } from '../state/reading-store';
import { ENDPOINTS, type AccountConfig, type Endpoint, type MonitorConfig } from '../config/types';
import { ConfigError } from '../errors';
import { ENDPOINT_DEFS } from '../sendpulse/endpoints';
import { OPEN_GATE } from '../sendpulse/request-gate';
import { SendPulseClient } from '../sendpulse/sendpulse-client';
import { MemoryTokens } from '../sendpulse/token-store';
import { accountCheck, formatJson, formatNagios, formatTableReport, formatUnknown, overallStatus, type AccountCheck, type PollResult } from './check-report';
import { commandUsage } from './command-specs';
import { EXIT_CODES } from './nagios-output';
import { parseCommandLine, stringOption } from './parse-command-line';

/** The output formats of `check`. */
const FORMATS = ['nagios', 'table', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** A one-shot poll as the state the alert rules read. */
function toAccountState(r: PollResult, now: number): AccountState {
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

/** Polls every endpoint of every account once (no Redis needed); one token request per OAuth account. */
export async function pollOnce(accounts: readonly AccountConfig[], client: SendPulseClient): Promise<PollResult[]> {
  return Promise.all(accounts.map(async (account) => {
    const result: PollResult = { account, readings: {}, errors: {}, reasons: {} };
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

/** Every account polled once and judged by the alert rules. */
export async function checkAccounts(config: MonitorConfig, now = Date.now()): Promise<AccountCheck[]> {
  const client = new SendPulseClient({
    baseUrl: config.sendpulse.baseUrl,
    timeoutMs: config.sendpulse.timeout,
    tokens: new MemoryTokens(),
    gate: OPEN_GATE,
  });
  try {
    const polls = await pollOnce(config.accounts, client);
    // The alert rules decide WARNING/CRITICAL; a failed poll with no rule firing is UNKNOWN.
    return polls.map((p) => accountCheck(p, evaluateCheck(config, p.account, toAccountState(p, now), now)));
  } finally {
    await client.close();
  }
}

/**
 * `sendpulse-monitor check [--config FILE] [--format nagios|table|json]`: one poll of everything,
 * printed as a monitoring plugin (default), a table or JSON; exit 0 OK, 1 WARNING, 2 CRITICAL,
 * 3 UNKNOWN, always with a status line in the nagios format. Reads only the sendpulse and accounts
 * settings: Redis, the server and the alert channels are neither needed nor checked.
 */
export async function main(argv: string[]): Promise<number> {
  const cli = parseCommandLine('check', argv);
  if (!cli.ok) return cli.exitCode;
  const format = (stringOption(cli.values, 'format') ?? 'nagios') as Format;
  const print = (text: string) => process.stdout.write(`${text}\n`);
  if (!FORMATS.includes(format)) {
    print(formatUnknown(`--format: ${JSON.stringify(format)} is not one of ${FORMATS.join(', ')}`, [commandUsage('check')]));
    return EXIT_CODES.UNKNOWN;
  }
  const unknown = (text: string, details: string[]): number => {
    if (format === 'json') print(JSON.stringify({ status: 'UNKNOWN', exitCode: EXIT_CODES.UNKNOWN, text, problems: details }, null, 2));
    else if (format === 'nagios') print(formatUnknown(text, details));
    else process.stderr.write(`sendpulse-monitor: ${text}\n${details.map((d) => `  ${d}\n`).join('')}`);
    return EXIT_CODES.UNKNOWN;
  };
  let config: MonitorConfig;
  try {
    config = loadConfig({ file: stringOption(cli.values, 'config'), env: process.env, skip: ['redis', 'server', 'channels'] });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const n = err.problems.length;
    return unknown(`invalid configuration: ${err.problems[0]}${n > 1 ? ` (and ${n - 1} more)` : ''}`, err.problems);
  }
  let checks: AccountCheck[];
  try {
    checks = await checkAccounts(config);
  } catch (err) {
    // A plugin never dies without a status line.
    return unknown(`internal error: ${err instanceof Error ? err.message : String(err)}`, []);
  }
  print(format === 'json' ? formatJson(checks) : format === 'table' ? formatTableReport(checks) : formatNagios(checks));
  return EXIT_CODES[overallStatus(checks)];
}
