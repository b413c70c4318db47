import type { NotificationRecord } from '../alerts/alert-types';
import { CHANNEL_NAMES, configuredChannels, sendThrough, type Channel } from '../alerts/channels';
import { sendContextFor } from '../alerts/send-context';
import { formatDuration } from '../alerts/describe-alert';
import type { MonitorConfig } from '../config/types';
import { DeliveryFailedError, DeliveryRejectedError } from '../errors';
import { loadConfigOrReport } from './load-config-or-report';
import { parseCommandLine, stringOption } from './parse-command-line';

/** The test notification: clearly labelled, for the first configured account. */
function testRecord(config: MonitorConfig, now: number): NotificationRecord {
  const account = config.accounts[0]?.name ?? 'test';
  return {
    id: `${account}.test.test.${now}`, kind: 'test', account, rule: 'balance', service: 'test', severity: 'ok', previousSeverity: 'ok',
    value: null, threshold: null, valueText: 'n/a', thresholdText: '',
    headline: 'test notification: alert delivery works', sinceMs: null, createdMs: now, runwayMs: null, recent: [],
  };
}

/** One channel's line: `delivered`, `rejected (<the service's reason>)` or `failed (retryable[, retry after 30s]): <the problem>`. */
function outcomeLine(channel: Channel, err: unknown): string {
  if (err === undefined) return `${channel}: delivered`;
  if (err instanceof DeliveryRejectedError) return `${channel}: rejected (${err.reason})`;
  if (err instanceof DeliveryFailedError) {
    const wait = err.retryAfterMs !== undefined ? `, retry after ${formatDuration(err.retryAfterMs)}` : '';
    return `${channel}: failed (retryable${wait}): ${err.reason}`;
  }
  return `${channel}: failed (retryable): ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * Sends a test notification through each configured channel (or only `only`) directly, not via
 * the queue and regardless of the channels' filters, writing one line per channel to `out`.
 * Returns the exit code: 0 when every channel delivered, 1 otherwise (also when none is configured),
 * 2 when `only` is not a configured channel.
 */
export async function runTestAlert(config: MonitorConfig, out: (line: string) => void, opts: { only?: string; now?: number } = {}): Promise<number> {
  const configured = configuredChannels(config.alerts);
  if (configured.length === 0) {
    out(`no alert channel configured: set one of alerts.${CHANNEL_NAMES.join(', alerts.')}`);
    return 1;
  }
  if (opts.only !== undefined && !configured.includes(opts.only as Channel)) {
    const known = (CHANNEL_NAMES as string[]).includes(opts.only);
    out(`test-alert: ${known ? `channel "${opts.only}" is not configured` : `no channel named "${opts.only}"`} (configured: ${configured.join(', ')})`);
    return 2;
  }
  const channels = opts.only === undefined ? configured : [opts.only as Channel];
  const now = opts.now ?? Date.now();
  const record = testRecord(config, now);
  const ctx = sendContextFor(config);
  const results = await Promise.all(channels.map((c) => sendThrough(c, config.alerts, record, ctx).then(() => undefined, (err: unknown) => err ?? new Error('failed'))));
  channels.forEach((c, i) => out(outcomeLine(c, results[i])));
  return results.every((r) => r === undefined) ? 0 : 1;
}

/** `sendpulse-monitor test-alert [--config FILE] [--channel NAME]`; Redis and the HTTP server settings are not needed. */
export async function main(argv: string[]): Promise<number> {
  const cli = parseCommandLine('test-alert', argv);
  if (!cli.ok) return cli.exitCode;
  const config = loadConfigOrReport(stringOption(cli.values, 'config'), ['redis', 'server']);
  if (!config) return 1;
  return runTestAlert(config, (line) => process.stdout.write(`${line}\n`), { only: stringOption(cli.values, 'channel') });
}
