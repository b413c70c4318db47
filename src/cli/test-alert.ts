import type { NotificationRecord } from '../alerts/alert-types';
import { configuredChannels, sendToChannel } from '../alerts/send-to-channel';
import type { MonitorConfig } from '../config/types';
import { loadConfigOrReport } from './load-config-or-report';

/** The test notification: clearly labelled, for the first configured account. */
function testRecord(config: MonitorConfig, now: number): NotificationRecord {
  const account = config.accounts[0]?.name ?? 'test';
  return {
    id: `${account}.test.test.${now}`, kind: 'test', account, rule: 'balance', service: 'test', severity: 'ok', previousSeverity: 'ok',
    value: null, threshold: null, valueText: 'n/a', thresholdText: '',
    headline: 'test notification: alert delivery works', sinceMs: null, createdMs: now, runwayMs: null, recent: [],
  };
}

/**
 * Sends a test notification through each configured channel directly (not via the queue), writing one
 * line per channel to `out`: `email: ok` or `email: FAILED: <the SMTP/HTTP error>`. Returns the exit code:
 * 0 when every channel succeeded, 1 otherwise (also when none is configured).
 */
export async function runTestAlert(config: MonitorConfig, out: (line: string) => void, now = Date.now()): Promise<number> {
  const channels = configuredChannels(config);
  if (channels.length === 0) {
    out('no alert channel configured: set alerts.email and/or alerts.webhook');
    return 1;
  }
  const record = testRecord(config, now);
  let failed = 0;
  for (const channel of channels) {
    try {
      await sendToChannel(channel, config, record);
      out(`${channel}: ok`);
    } catch (err) {
      failed++;
      // sendToChannel's messages already start with the channel name and have secrets cut out.
      out(`${channel}: FAILED: ${(err instanceof Error ? err.message : String(err)).replace(new RegExp(`^${channel}: `), '')}`);
    }
  }
  return failed === 0 ? 0 : 1;
}

/** `sendpulse-monitor test-alert [--config FILE]`. */
export async function main(argv: string[]): Promise<number> {
  const config = loadConfigOrReport(argv);
  if (!config) return 1;
  return runTestAlert(config, (line) => process.stdout.write(`${line}\n`));
}
