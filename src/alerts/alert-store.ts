import type { RedisClient } from '../state/redis-connection';
import { AlertHistory } from './alert-history';
import { INITIAL_ALERT_STATE, type AlertState, type NotificationRecord, type RuleName, type Severity } from './alert-types';

/** An alert's state with the version its compare-and-set must match. */
export interface VersionedAlertState {
  state: AlertState;
  ver: number;
}

// Compare-and-set of one alert: writes the new state only if nobody wrote since we read `ver`, and in
// the same atomic step updates the firing index (for /metrics) and puts the notification record in
// the outbox, so a worker killed right after cannot lose it (the sweeper enqueues what is left there).
const TRANSITION_SCRIPT = `
local v = tonumber(redis.call('HGET', KEYS[1], 'ver') or '0')
if v ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'ver', v + 1)
if ARGV[4] == 'ok' then redis.call('HDEL', KEYS[2], ARGV[3]) else redis.call('HSET', KEYS[2], ARGV[3], ARGV[4]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[3], ARGV[5], ARGV[6]) end
return 1
`;

type WithTransition = RedisClient & {
  spmAlertTransition(k1: string, k2: string, k3: string, ...args: string[]): Promise<number>;
};

/**
 * Alert state in Redis: one hash per (account, rule, service), a firing index read at scrape time,
 * the notification outbox and the per-channel delivery keys. All keys start with the prefix, so a
 * hash-tagged prefix (`{spm}`) keeps them in one Redis Cluster slot for the Lua script.
 */
export class AlertStore {
  private readonly redis: WithTransition;
  /** Each account's alert history (transitions and deliveries), written where they happen. */
  readonly events: AlertHistory;

  constructor(redis: RedisClient, private readonly prefix: string) {
    this.events = new AlertHistory(redis, prefix);
    if (!('spmAlertTransition' in redis)) redis.defineCommand('spmAlertTransition', { numberOfKeys: 3, lua: TRANSITION_SCRIPT });
    this.redis = redis as WithTransition;
  }

  /** The hash of one alert. */
  stateKey(account: string, rule: RuleName, service: string): string {
    return `${this.prefix}:alert:${account}:${rule}:${service}`;
  }

  /** The hash `account|rule|service` → severity of every firing alert. */
  get firingKey(): string {
    return `${this.prefix}:alerts:firing`;
  }

  /** The hash notification id → NotificationRecord JSON of notifications not yet delivered or dropped. */
  get outboxKey(): string {
    return `${this.prefix}:alerts:outbox`;
  }

  /** The hash channel → time of the channels a notification already reached. */
  sentKey(id: string): string {
    return `${this.prefix}:alerts:sent:${id}`;
  }

  /** Several alerts' states in one round trip. */
  async load(keys: readonly { account: string; rule: RuleName; service: string }[]): Promise<VersionedAlertState[]> {
    if (keys.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const k of keys) pipe.hmget(this.stateKey(k.account, k.rule, k.service), 'state', 'ver');
    const res = (await pipe.exec()) ?? [];
    return res.map(([err, v]) => {
      if (err) throw err;
      const [state, ver] = v as [string | null, string | null];
      return { state: state ? { ...INITIAL_ALERT_STATE, ...JSON.parse(state) } : { ...INITIAL_ALERT_STATE }, ver: Number(ver ?? 0) };
    });
  }

  /** Writes `next` if the alert is still at `ver`; true when this caller took the transition. */
  async compareAndSet(account: string, rule: RuleName, service: string, ver: number, next: AlertState, record: NotificationRecord | null): Promise<boolean> {
    const r = await this.redis.spmAlertTransition(
      this.stateKey(account, rule, service), this.firingKey, this.outboxKey,
      String(ver), JSON.stringify(next), `${account}|${rule}|${service}`, next.severity, record?.id ?? '', record ? JSON.stringify(record) : '');
    return r === 1;
  }

  /** The firing alerts: account, rule, service, severity. */
  async firing(): Promise<{ account: string; rule: RuleName; service: string; severity: Exclude<Severity, 'ok'> }[]> {
    const all = await this.redis.hgetall(this.firingKey);
    return Object.entries(all).map(([field, severity]) => {
      const [account, rule, service] = field.split('|');
      return { account, rule: rule as RuleName, service, severity: severity as 'warning' | 'critical' };
    });
  }

  /** A notification still in the outbox, or null once it was delivered or dropped. */
  async outboxRecord(id: string): Promise<NotificationRecord | null> {
    const raw = await this.redis.hget(this.outboxKey, id);
    return raw ? (JSON.parse(raw) as NotificationRecord) : null;
  }

  /** Ids of every notification in the outbox. */
  async outboxIds(): Promise<string[]> {
    return this.redis.hkeys(this.outboxKey);
  }

  /** Removes a delivered or dropped notification from the outbox. */
  async removeFromOutbox(id: string): Promise<void> {
    await this.redis.hdel(this.outboxKey, id);
  }

  /** The channels a notification already reached. */
  async sentChannels(id: string): Promise<Set<string>> {
    return new Set(await this.redis.hkeys(this.sentKey(id)));
  }

  /** Records that a channel has the notification; kept 30 days, long past any retry. */
  async markSent(id: string, channel: string, atMs: number): Promise<void> {
    await this.redis.multi().hset(this.sentKey(id), channel, String(atMs)).pexpire(this.sentKey(id), 30 * 86400_000).exec();
  }

  /** When the engine first evaluated an account (set once): the start of `stale` for endpoints never polled well. */
  async firstSeen(account: string, now: number): Promise<number> {
    const key = `${this.prefix}:alerts:seen`;
    await this.redis.hsetnx(key, account, String(now));
    return Number((await this.redis.hget(key, account)) ?? now);
  }
}
