import type { MonitorConfig } from '../config/types';
import type { RedisClient } from '../state/redis-connection';
import type { SendContext } from './channels/channel';

/** The recipients of an account's mails: alerts.email.to plus the account's own `alerts.to`, once each. */
export function recipientsFor(config: MonitorConfig, account: string): string[] {
  const acct = config.accounts.find((a) => a.name === account);
  return [...new Set([...(config.alerts.email?.to ?? []), ...(acct?.alerts.to ?? [])])];
}

/** Default per-request timeout of a delivery, ms. */
export const DELIVERY_TIMEOUT_MS = 15_000;

/** What the channels' `send` gets from a monitor's config; `redis` for channels that keep state (absent in test-alert). */
export function sendContextFor(config: MonitorConfig, opts: { redis?: { client: RedisClient; prefix: string }; now?: () => number; timeoutMs?: number } = {}): SendContext {
  const ctx: SendContext = {
    recipients: (account) => recipientsFor(config, account),
    timeoutMs: opts.timeoutMs ?? DELIVERY_TIMEOUT_MS,
    now: opts.now ?? Date.now,
  };
  if (config.alerts.dashboardUrl) ctx.dashboardUrl = config.alerts.dashboardUrl;
  if (opts.redis) ctx.redis = opts.redis;
  return ctx;
}
