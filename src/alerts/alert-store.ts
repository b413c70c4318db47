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
// Once the alert has notified, its line in the ledger (see AlertStore.ledgerKey) follows every write;
// a notification also deletes a "sent" record left under the same id by an alert state Redis lost:
// this transition just made the id, so nothing can have been sent under it yet.
const TRANSITION_SCRIPT = `
local v = tonumber(redis.call('HGET', KEYS[1], 'ver') or '0')
if v ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'ver', v + 1)
if ARGV[4] == 'ok' then redis.call('HDEL', KEYS[2], ARGV[3]) else redis.call('HSET', KEYS[2], ARGV[3], ARGV[4]) end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[4], ARGV[3], ARGV[7]) end
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[5], ARGV[6])
  redis.call('DEL', KEYS[5])
end
return 1
`;

/** An alert's line in the ledger: its severity, seq, last notification time and firing start. */
interface LedgerLine {
  s: Severity;
  q: number;
  n: number | null;
  f: number | null;
}

type WithTransition = RedisClient & {
  spmAlertTransition(k1: string, k2: string, k3: string, k4: string, k5: string, ...args: string[]): Promise<number>;
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
    if (!('spmAlertTransition' in redis)) redis.defineCommand('spmAlertTransition', { numberOfKeys: 5, lua: TRANSITION_SCRIPT });
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

  /**
   * The ledger: the hash `account|rule|service` → the alert's severity, notification seq, last
   * notification time and firing start, a few dozen bytes each, written with every state change of an
   * alert that has notified. It is read with every alert state, so under an LRU or LFU policy it is
   * among the last keys Redis evicts; when an alert's own hash is gone (evicted) its state is rebuilt
   * from this line, and an alert already notified is not notified again as new.
   */
  get ledgerKey(): string {
    return `${this.prefix}:alerts:notified`;
  }

  /** The hash notification id → NotificationRecord JSON of notifications not yet delivered or dropped. */
  get outboxKey(): string {
    return `${this.prefix}:alerts:outbox`;
  }

  /** The hash channel → time of the channels a notification already reached. */
  sentKey(id: string): string {
    return `${this.prefix}:alerts:sent:${id}`;
  }

  /** Several alerts' states in one round trip; a state Redis lost is rebuilt from the ledger when it has the alert. */
  async load(keys: readonly { account: string; rule: RuleName; service: string }[]): Promise<VersionedAlertState[]> {
    if (keys.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const k of keys) {
      pipe.hmget(this.stateKey(k.account, k.rule, k.service), 'state', 'ver');
      pipe.hget(this.ledgerKey, `${k.account}|${k.rule}|${k.service}`);
    }
    const res = (await pipe.exec()) ?? [];
    return keys.map((_, i) => {
      const [[err, v], [lerr, line]] = [res[2 * i], res[2 * i + 1]];
      if (err) throw err;
      if (lerr) throw lerr;
      const [state, ver] = v as [string | null, string | null];
      if (state) return { state: { ...INITIAL_ALERT_STATE, ...JSON.parse(state) }, ver: Number(ver ?? 0) };
      if (typeof line === 'string') return { state: fromLedger(JSON.parse(line) as LedgerLine), ver: Number(ver ?? 0) };
      return { state: { ...INITIAL_ALERT_STATE }, ver: Number(ver ?? 0) };
    });
  }

  /** Writes `next` if the alert is still at `ver`; true when this caller took the transition. */
  async compareAndSet(account: string, rule: RuleName, service: string, ver: number, next: AlertState, record: NotificationRecord | null): Promise<boolean> {
    // An alert that never notified has nothing to remember: no line, so the ledger grows with the alerts that fired.
    const line = next.seq === 0 ? '' : JSON.stringify({ s: next.severity, q: next.seq, n: next.lastNotifiedMs, f: next.sinceMs } satisfies LedgerLine);
    const r = await this.redis.spmAlertTransition(
      this.stateKey(account, rule, service), this.firingKey, this.outboxKey, this.ledgerKey, this.sentKey(record?.id ?? '-'),
      String(ver), JSON.stringify(next), `${account}|${rule}|${service}`, next.severity, record?.id ?? '', record ? JSON.stringify(record) : '',
      line);
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

// What the ledger knows: the severity last notified and since when, the reminder clock and the seq (so
// notification ids keep counting up). Pending counts and the last poll are not kept: they rebuild
// from the next polls.
function fromLedger(l: LedgerLine): AlertState {
  const firing = l.s !== 'ok';
  return { ...INITIAL_ALERT_STATE, severity: l.s, seq: l.q, lastNotifiedMs: firing ? l.n : null, sinceMs: firing ? l.f : null };
}
