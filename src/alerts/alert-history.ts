import { childLogger } from '../logger';
import type { RedisClient } from '../state/redis-connection';
import type { NotificationKind, NotificationRecord, RuleName, Severity } from './alert-types';

const log = childLogger({ component: 'alerts' });

/** Events kept per account; older ones are trimmed. */
export const ALERT_HISTORY_CAP = 200;

/** An account's log expires this long after its last event (a removed account's log does not stay for ever). */
const KEEP_MS = 90 * 86_400_000;

/** Longest error text kept for a failed delivery. */
const MAX_ERROR_CHARS = 300;

/** What happened: a transition (the notification kinds but `test`), or what a delivery to one channel did. */
export type AlertEventKind = Exclude<NotificationKind, 'test'> | 'sent' | 'failed' | 'rejected' | 'dropped';

/** One entry of an account's alert history, as kept in Redis and shown on its status page. */
export interface AlertEvent {
  /** When it happened, ms epoch. */
  atMs: number;
  kind: AlertEventKind;
  rule: RuleName;
  service: string;
  /** The alert's severity after the transition (for deliveries: of the notification delivered). */
  severity: Severity;
  /** The notification (`account.rule.service.seq`). */
  notification: string;
  /** The sentence of the notification ("balance 1.50 USD is below 2 USD"). */
  headline: string;
  /** Deliveries: the channel (`email`, `webhook`). */
  channel?: string;
  /** Failed, rejected or dropped deliveries: the error (secrets were cut out by the channel; e-mail addresses are masked here). */
  error?: string;
}

/**
 * A small capped event log per account in Redis (a list, newest first): alert transitions (fired,
 * escalated, de-escalated, reminded, resolved) and deliveries (sent, failed, dropped) per channel,
 * for the status page's alert history. Written next to the alert state and the deliveries; a write
 * that fails is logged and never fails a transition or a delivery.
 */
export class AlertHistory {
  constructor(private readonly redis: RedisClient, private readonly prefix: string) {}

  /** The list of one account's events, newest first. */
  key(account: string): string {
    return `${this.prefix}:alerts:log:${account}`;
  }

  /**
   * The hash `account|rule|service` → JSON AlertEvent of the latest transition of every alert that
   * fires (a resolution removes it): what the status page says about an alert without reading logs.
   */
  get latestKey(): string {
    return `${this.prefix}:alerts:latest`;
  }

  /** Records the transition a notification was created for. */
  async transition(r: NotificationRecord): Promise<void> {
    if (r.kind === 'test') return;
    const e: AlertEvent = { ...base(r), kind: r.kind, atMs: r.createdMs };
    const field = `${r.account}|${r.rule}|${r.service}`;
    await this.#push(r.account, e, (m) => (r.kind === 'resolved' ? m.hdel(this.latestKey, field) : m.hset(this.latestKey, field, JSON.stringify(e))));
  }

  /** Records that `channel` accepted the notification. */
  async sent(r: NotificationRecord, channel: string, atMs: number): Promise<void> {
    await this.#push(r.account, { ...base(r), kind: 'sent', atMs, channel });
  }

  /** Records a failed delivery attempt to `channel` (it will be retried). */
  async failed(r: NotificationRecord, channel: string, error: string, atMs: number): Promise<void> {
    await this.#push(r.account, { ...base(r), kind: 'failed', atMs, channel, error: cleanError(error) });
  }

  /** Records that `channel` refused the notification for good (not retried). */
  async rejected(r: NotificationRecord, channel: string, reason: string, atMs: number): Promise<void> {
    await this.#push(r.account, { ...base(r), kind: 'rejected', atMs, channel, error: cleanError(reason) });
  }

  /** Records that a notification was given up after its last attempt, for the channels it never reached. */
  async dropped(r: NotificationRecord, channels: readonly string[], error: string, atMs: number): Promise<void> {
    await this.#push(r.account, { ...base(r), kind: 'dropped', atMs, channel: channels.join(', '), error: cleanError(error) });
  }

  /** The newest `n` events of an account, newest first. */
  async recent(account: string, n = ALERT_HISTORY_CAP): Promise<AlertEvent[]> {
    return decodeEvents(await this.redis.lrange(this.key(account), 0, n - 1));
  }

  async #push(account: string, e: AlertEvent, also?: (m: ReturnType<RedisClient['multi']>) => unknown): Promise<void> {
    const key = this.key(account);
    try {
      const m = this.redis.multi().lpush(key, JSON.stringify(e)).ltrim(key, 0, ALERT_HISTORY_CAP - 1).pexpire(key, KEEP_MS);
      also?.(m);
      await m.exec();
    } catch (err) {
      log.warn({ account, err: (err as Error).message }, 'could not write the alert history');
    }
  }
}

/** Events from the list's JSON entries; entries that do not parse are skipped. */
export function decodeEvents(raw: readonly string[]): AlertEvent[] {
  return raw.flatMap((s) => {
    try {
      const e = JSON.parse(s) as AlertEvent;
      return typeof e === 'object' && e !== null && typeof e.atMs === 'number' ? [e] : [];
    } catch {
      return [];
    }
  });
}

function base(r: NotificationRecord): Pick<AlertEvent, 'rule' | 'service' | 'severity' | 'notification' | 'headline'> {
  return { rule: r.rule, service: r.service, severity: r.severity, notification: r.id, headline: r.headline };
}

// An SMTP error may quote a recipient ("<ops@example.com>: Recipient address rejected"): the page
// shows what went wrong, not who the mail was for.
function cleanError(error: string): string {
  return error.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '[address]').slice(0, MAX_ERROR_CHARS);
}
