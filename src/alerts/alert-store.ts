import type { Cluster, Redis } from 'ioredis';
import type { RedisClient } from '../state/redis-connection';
import { AlertHistory } from './alert-history';
import { RedisLease } from './lease';
import { INITIAL_ALERT_STATE, type AlertState, type NotificationRecord, type RuleName, type Severity } from './alert-types';

/** An alert's state with the version its compare-and-set must match. */
export interface VersionedAlertState {
  state: AlertState;
  ver: number;
  /** The state was rebuilt from the ledger (Redis lost the alert's own fields): write it back even if nothing changed, so the firing index shows it again. */
  restored?: boolean;
}

// Compare-and-set of one alert, kept as two fields of its account's hash (`rule|service` with the
// state JSON, `rule|service#v` with its version): writes the new state only if nobody wrote since we
// read the version, and in the same atomic step updates the firing index (for /metrics) and puts the
// notification record in the outbox, so a worker killed right after cannot lose it (the sweeper
// enqueues what is left there). Once the alert has notified, its line in the ledger (see
// AlertStore.ledgerKey) follows every write; a notification also deletes a "sent" record left under
// the same id by an alert state Redis lost: this transition just made the id, so nothing can have
// been sent under it yet.
const TRANSITION_SCRIPT = `
local vf = ARGV[8] .. '#v'
local v = tonumber(redis.call('HGET', KEYS[1], vf) or '0')
if v ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[8], ARGV[2], vf, v + 1)
if ARGV[4] == 'ok' then redis.call('HDEL', KEYS[2], ARGV[3]) else redis.call('HSET', KEYS[2], ARGV[3], ARGV[4]) end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[4], ARGV[3], ARGV[7]) end
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[5], ARGV[6])
  redis.call('DEL', KEYS[5])
end
return 1
`;

// Version 0.1 kept one hash per alert (`prefix:alert:ACCOUNT:RULE:SERVICE`, fields state and ver).
// Moves each into its account's hash, without overwriting a newer field, and deletes it; returns how
// many it moved. Run once at start (idempotent: a second run finds nothing).
const MIGRATE_SCRIPT = `
local moved = 0
for i = 1, #KEYS, 2 do
  local old = redis.call('HMGET', KEYS[i], 'state', 'ver')
  if old[1] then
    redis.call('HSETNX', KEYS[i + 1], ARGV[(i + 1) / 2], old[1])
    redis.call('HSETNX', KEYS[i + 1], ARGV[(i + 1) / 2] .. '#v', old[2] or '1')
    moved = moved + 1
  end
  redis.call('DEL', KEYS[i])
end
return moved
`;

/** An alert's line in the ledger: its severity, seq, last notification time and firing start. */
interface LedgerLine {
  s: Severity;
  q: number;
  n: number | null;
  f: number | null;
}

type WithTransition = RedisClient & {
  spmAlertTransition2(k1: string, k2: string, k3: string, k4: string, k5: string, ...args: string[]): Promise<number>;
};

/**
 * Alert state in Redis: one hash per account (two fields per alert: its state and version), a firing
 * index read at scrape time, the notification outbox and the per-channel delivery keys. One hash per
 * account makes loading an account's ~20 alerts one command instead of ~40. All keys start with the
 * prefix, so a hash-tagged prefix (`{spm}`) keeps them in one Redis Cluster slot for the Lua script.
 */
export class AlertStore {
  private readonly redis: WithTransition;
  /** Each account's alert history (transitions and deliveries), written where they happen. */
  readonly events: AlertHistory;

  constructor(redis: RedisClient, private readonly prefix: string) {
    this.events = new AlertHistory(redis, prefix);
    if (!('spmAlertTransition2' in redis)) redis.defineCommand('spmAlertTransition2', { numberOfKeys: 5, lua: TRANSITION_SCRIPT });
    this.redis = redis as WithTransition;
  }

  /** The hash of an account's alerts: field `rule|service` holds the state JSON, `rule|service#v` its version. */
  accountKey(account: string): string {
    return `${this.prefix}:alerts:state:${account}`;
  }

  /** The field of one alert in its account's hash (also its field in the firing index and the ledger, after `account|`). */
  static field(rule: RuleName, service: string): string {
    return `${rule}|${service}`;
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

  /**
   * Several alerts' states in one round trip (one HGETALL per account, one HMGET of the ledger); a
   * state Redis lost is rebuilt from the ledger when it has the alert.
   */
  async load(keys: readonly { account: string; rule: RuleName; service: string }[]): Promise<VersionedAlertState[]> {
    if (keys.length === 0) return [];
    const accounts = [...new Set(keys.map((k) => k.account))];
    // Commands sent in one tick: on an auto-pipelined connection (the state connection, not on a
    // Cluster) they share a write with whatever else is sent then, cheaper than a pipeline of their own.
    const [hashList, lines] = await Promise.all([
      Promise.all(accounts.map((a) => this.redis.hgetall(this.accountKey(a)))),
      this.redis.hmget(this.ledgerKey, ...keys.map((k) => `${k.account}|${AlertStore.field(k.rule, k.service)}`)),
    ]);
    const hashes = new Map(accounts.map((a, i) => [a, hashList[i]]));
    return keys.map((k, i) => {
      const hash = hashes.get(k.account) ?? {};
      const f = AlertStore.field(k.rule, k.service);
      const ver = Number(hash[`${f}#v`] ?? 0);
      const state = hash[f];
      if (state) return { state: { ...INITIAL_ALERT_STATE, ...JSON.parse(state) }, ver };
      const line = lines[i];
      if (typeof line === 'string') return { state: fromLedger(JSON.parse(line) as LedgerLine), ver, restored: true };
      return { state: { ...INITIAL_ALERT_STATE }, ver };
    });
  }

  /** Writes `next` if the alert is still at `ver`; true when this caller took the transition. */
  async compareAndSet(account: string, rule: RuleName, service: string, ver: number, next: AlertState, record: NotificationRecord | null): Promise<boolean> {
    // An alert that never notified has nothing to remember: no line, so the ledger grows with the alerts that fired.
    const line = next.seq === 0 ? '' : JSON.stringify({ s: next.severity, q: next.seq, n: next.lastNotifiedMs, f: next.sinceMs } satisfies LedgerLine);
    const r = await this.redis.spmAlertTransition2(
      this.accountKey(account), this.firingKey, this.outboxKey, this.ledgerKey, this.sentKey(record?.id ?? '-'),
      String(ver), JSON.stringify(next), `${account}|${rule}|${service}`, next.severity, record?.id ?? '', record ? JSON.stringify(record) : '',
      line, AlertStore.field(rule, service));
    return r === 1;
  }

  /**
   * Moves alert states kept by version 0.1 (one hash per alert) into the accounts' hashes; returns how
   * many. Safe on every start and on every replica at once: one SCAN of `prefix:alert:*` (on every
   * master of a cluster), which finds nothing after the first run.
   */
  async migrateOldStates(): Promise<number> {
    const pattern = `${this.prefix}:alert:*`;
    const at = pattern.length - 1;
    const nodes = 'nodes' in this.redis && typeof this.redis.nodes === 'function' ? (this.redis as Cluster).nodes('master') : [this.redis as Redis];
    let moved = 0;
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        const keys: string[] = [];
        const fields: string[] = [];
        for (const k of found) {
          const [account, rule, ...service] = k.slice(at).split(':');
          if (!account || !rule || service.length === 0) continue;
          keys.push(k, this.accountKey(account));
          fields.push(AlertStore.field(rule, service.join(':')));
        }
        if (keys.length > 0) moved += Number(await this.redis.eval(MIGRATE_SCRIPT, keys.length, ...keys, ...fields));
      } while (cursor !== '0');
    }
    return moved;
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

  /**
   * Ids of one alert's notifications in the outbox (`<alert>.<seq>`), found by Redis (HSCAN MATCH) so
   * that a delivery reads its alert's few ids, not the whole outbox: with thousands of notifications
   * queued (every account's stale alert after an outage) reading every id per delivery made the
   * deliveries quadratic and starved the polls (bench, saturated workers).
   */
  async outboxIdsOf(alert: string): Promise<string[]> {
    const match = `${alert.replace(/[*?[\]\\]/g, '\\$&')}.*`;
    const ids = new Set<string>();
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.outboxKey, cursor, 'MATCH', match, 'COUNT', 1000);
      for (let i = 0; i < flat.length; i += 2) ids.add(flat[i]);
      cursor = next;
    } while (cursor !== '0');
    return [...ids];
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

  /** The hash account → when the engine first evaluated it (firstSeen). */
  get seenKey(): string {
    return `${this.prefix}:alerts:seen`;
  }

  /**
   * The delivery lock of one alert (`account.rule.service`) with a lease of `leaseMs`: one worker at a
   * time delivers that alert's notifications, so they go out in order; a killed holder's lock frees
   * itself when the lease runs out.
   */
  deliveryLease(alert: string, leaseMs: number): RedisLease {
    return new RedisLease(this.redis, `${this.prefix}:alerts:delivering:${alert}`, leaseMs);
  }

  /** When the engine first evaluated an account (set once): the start of `stale` for endpoints never polled well. */
  async firstSeen(account: string, now: number): Promise<number> {
    const key = this.seenKey;
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
