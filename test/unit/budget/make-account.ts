import { Secret } from '../../../src/config/secret';
import type { AccountConfig, BudgetConfig, MonitorConfig } from '../../../src/config/types';

/** An AccountConfig with the documented defaults, overridden by `over` (built directly, not through the loader). */
export function makeAccount(
  name: string,
  over: { plan?: AccountConfig['plan']; oauth?: boolean; intervals?: Partial<AccountConfig['intervals']>; budget?: Partial<BudgetConfig> } = {},
): AccountConfig {
  return {
    name,
    auth: over.oauth
      ? { kind: 'oauth', clientId: `${name}-id`, clientSecret: new Secret('s3cret-value') }
      : { kind: 'apiKey', apiKey: new Secret('k3y-value') },
    plan: over.plan ?? 'free',
    timezone: 'UTC',
    intervals: { balance: 300_000, user_info: 3_600_000, team: 3_600_000, ...over.intervals },
    budget: { perMinute: 10, perDay: 5000, perSecond: 5, share: 0.01, onOverflow: 'stretch', ...over.budget },
    alerts: { rules: { credentials: true, stale: true }, to: [] },
  };
}

/** A MonitorConfig around `accounts` with default everything else. */
export function makeConfig(accounts: AccountConfig[]): MonitorConfig {
  return {
    sendpulse: { baseUrl: 'https://api.sendpulse.com', timeout: 10_000, authBackoff: { initialMs: 60_000, maxMs: 1_800_000 } },
    redis: { url: new Secret('redis://127.0.0.1:6379'), prefix: 'spm', allowEviction: false, shards: 1 },
    server: { host: '0.0.0.0', port: 9464 },
    worker: { concurrency: 32 },
    accounts,
    alerts: {
      rules: { credentials: true, stale: true }, repeatInterval: 86_400_000, sendResolved: true, hysteresis: 0.05,
      pendingPolls: 1, runwayWindow: 7 * 86_400_000, staleAfterIntervals: 3, maxAttempts: 10,
    },
    logLevel: 'info',
  };
}
