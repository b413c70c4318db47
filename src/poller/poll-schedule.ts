import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { AccountConfig, Endpoint } from '../config/types';

/**
 * The poll schedule of one shard in Redis: when each (account, endpoint) is due next. The BullMQ job
 * schedulers of the poll queue are the shard's "lanes" (src/poller/poll-worker.ts): each lane job claims
 * the polls that are due, many per script call, instead of one BullMQ job per poll (about 50 Redis
 * commands each: move to active, the scheduler's next job, move to finished, event stream entries).
 *
 * Keys (under the shard's prefix, so one hash tag on a Redis Cluster):
 * - `<prefix>:schedule` — sorted set, member `<account>:<endpoint>`, score the next due time (ms epoch);
 * - `<prefix>:schedule:every` — hash, member → `<interval ms>:<first run ms>`: runs fall on first + k × interval,
 *   as a BullMQ `every` job scheduler's do, whatever delays a poll had;
 * - `<prefix>:schedule:leases` — sorted set, member → lease expiry (ms epoch) of a poll in flight; a lease
 *   left to expire (its replica was killed) gives the poll to the next claim, as BullMQ's stalled-job
 *   check did;
 * - `<prefix>:schedule:now:<reason>:<account>` — the "poll now" of one event, made once for all replicas.
 */

/** The member of an (account, endpoint) in the schedule: stable, so restarts and replicas write the same one. */
export function scheduleMember(account: string, endpoint: Endpoint): string {
  return `${account}:${endpoint}`;
}

/** The account and endpoint of a schedule member (endpoints hold no ':'; account names may). */
export function parseScheduleMember(member: string): { account: string; endpoint: string } {
  const i = member.lastIndexOf(':');
  return { account: member.slice(0, i), endpoint: member.slice(i + 1) };
}

/** A stable fraction in [0,1) per member, to spread first runs of many accounts over time. */
function spreadFraction(id: string): number {
  return createHash('sha1').update(id).digest().readUInt32BE(0) / 2 ** 32;
}

/** How long a "poll now" keeps its reason, so that replicas seeing the same event poll once: 1 h. */
const POLL_NOW_KEEP_MS = 3_600_000;
/** Members per sync script call. */
const SYNC_BATCH = 500;

// KEYS: schedule, every. ARGV: now, then (member, every, first) triples. A member whose interval is
// unchanged keeps its phase and due time (restarts, replicas); a new or changed one starts at `first`.
const SYNC = `
local now = tonumber(ARGV[1])
local added = 0
for i = 2, #ARGV, 3 do
  local m, every, first = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local cur = redis.call('HGET', KEYS[2], m)
  local e, s
  if cur then e, s = string.match(cur, '^(%d+):(%d+)$') end
  if e and tonumber(e) == every then
    if not redis.call('ZSCORE', KEYS[1], m) then
      e, s = tonumber(e), tonumber(s)
      local next = s
      if now >= s then next = s + (math.floor((now - s) / e) + 1) * e end
      redis.call('ZADD', KEYS[1], next, m)
    end
  else
    redis.call('HSET', KEYS[2], m, every .. ':' .. first)
    redis.call('ZADD', KEYS[1], first, m)
    added = added + 1
  end
end
return added`;

// KEYS: schedule, every, leases. ARGV: now, max, leaseMs, nDone, done..., nRenew, renew...
// Ends the leases of finished polls, renews those of polls still running, then claims up to `max`
// polls: first those whose lease expired (their replica died), then those due, moving each due one to
// its next run (first + k × interval after now: runs missed while nothing polled are not made up).
// Returns member, due ('0' for an expired lease) pairs, then the earliest due time left ('-1': none).
const CLAIM = `
local now, max, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local i = 4
local nDone = tonumber(ARGV[i])
if nDone > 0 then redis.call('ZREM', KEYS[3], unpack(ARGV, i + 1, i + nDone)) end
i = i + nDone + 1
local nRenew = tonumber(ARGV[i])
if nRenew > 0 then
  local args = {}
  for j = i + 1, i + nRenew do args[#args + 1] = now + lease; args[#args + 1] = ARGV[j] end
  redis.call('ZADD', KEYS[3], 'XX', unpack(args))
end
local out = {}
local leases = {}
if max > 0 then
  local lost = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, max)
  for _, m in ipairs(lost) do
    leases[#leases + 1] = now + lease; leases[#leases + 1] = m
    out[#out + 1] = m; out[#out + 1] = '0'
  end
  local left = max - #lost
  if left > 0 then
    local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, left)
    if #due > 0 then
      local members = {}
      for j = 1, #due, 2 do members[#members + 1] = due[j] end
      local specs = redis.call('HMGET', KEYS[2], unpack(members))
      local nexts = {}
      for j, m in ipairs(members) do
        local e, s
        if specs[j] then e, s = string.match(specs[j], '^(%d+):(%d+)$') end
        if e then
          e, s = tonumber(e), tonumber(s)
          local next = s
          if now >= s then next = s + (math.floor((now - s) / e) + 1) * e end
          nexts[#nexts + 1] = next; nexts[#nexts + 1] = m
          leases[#leases + 1] = now + lease; leases[#leases + 1] = m
          out[#out + 1] = m; out[#out + 1] = due[j * 2]
        else
          redis.call('ZREM', KEYS[1], m)
        end
      end
      if #nexts > 0 then redis.call('ZADD', KEYS[1], unpack(nexts)) end
    end
  end
  if #leases > 0 then redis.call('ZADD', KEYS[3], unpack(leases)) end
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
out[#out + 1] = first[2] or '-1'
return out`;

// KEYS: schedule, reason key. ARGV: now, keepMs, members... Makes the members due now, once per reason.
const POLL_NOW = `
if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then return 0 end
for i = 3, #ARGV do redis.call('ZADD', KEYS[1], 'XX', 'LT', ARGV[1], ARGV[i]) end
return 1`;

type ScriptRedis = (Redis | Cluster) & {
  spmScheduleSync(...args: (string | number)[]): Promise<number>;
  spmScheduleClaim(...args: (string | number)[]): Promise<string[]>;
  spmSchedulePollNow(...args: (string | number)[]): Promise<number>;
};

/** Polls claimed by one call: each member with its due time (ms epoch; 0 for a poll taken over from an expired lease). */
export interface Claim {
  polls: { member: string; dueMs: number }[];
  /** The earliest due time still in the schedule after this claim, ms epoch; null when the schedule is empty. */
  nextDueMs: number | null;
}

/** One shard's poll schedule (see the file's comment for the keys). */
export class PollSchedule {
  private readonly redis: ScriptRedis;
  readonly key: string;
  readonly everyKey: string;
  readonly leasesKey: string;

  constructor(redis: Redis | Cluster, readonly prefix: string) {
    if (typeof (redis as ScriptRedis).spmScheduleClaim !== 'function') {
      redis.defineCommand('spmScheduleSync', { numberOfKeys: 2, lua: SYNC });
      redis.defineCommand('spmScheduleClaim', { numberOfKeys: 3, lua: CLAIM });
      redis.defineCommand('spmSchedulePollNow', { numberOfKeys: 2, lua: POLL_NOW });
    }
    this.redis = redis as ScriptRedis;
    this.key = `${prefix}:schedule`;
    this.everyKey = `${prefix}:schedule:every`;
    this.leasesKey = `${prefix}:schedule:leases`;
  }

  /** Every key of the schedule but the short-lived "poll now" reasons: to delete a retired shard's. */
  keys(): string[] {
    return [this.key, this.everyKey, this.leasesKey];
  }

  /**
   * Makes the schedule match the config: one member per (account, endpoint) at its effective interval,
   * none for accounts or endpoints no longer configured. Idempotent: every replica runs it at start and
   * after Redis lost its data. First runs of a new member are spread over up to 10 ms per account
   * (capped at the interval), so thousands of accounts do not all poll in one burst.
   */
  async sync(accounts: readonly AccountConfig[], intervalFor: (account: AccountConfig, endpoint: Endpoint) => number,
    endpoints: readonly Endpoint[], now = Date.now()): Promise<{ members: number; added: number; removed: number }> {
    const wanted = new Set<string>();
    const spreadMs = accounts.length * 10;
    let batch: string[] = [];
    let added = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      added += await this.redis.spmScheduleSync(this.key, this.everyKey, String(now), ...batch);
      batch = [];
    };
    for (const account of accounts) {
      for (const endpoint of endpoints) {
        const m = scheduleMember(account.name, endpoint);
        wanted.add(m);
        const every = intervalFor(account, endpoint);
        batch.push(m, String(every), String(now + Math.floor(spreadFraction(m) * Math.min(every, spreadMs))));
        if (batch.length >= SYNC_BATCH * 3) await flush();
      }
    }
    await flush();
    const stale = (await this.members()).filter((m) => !wanted.has(m));
    for (let i = 0; i < stale.length; i += SYNC_BATCH) {
      const part = stale.slice(i, i + SYNC_BATCH);
      await this.redis.multi().hdel(this.everyKey, ...part).zrem(this.key, ...part).zrem(this.leasesKey, ...part).exec();
    }
    return { members: wanted.size, added, removed: stale.length };
  }

  /** The scheduled members (`<account>:<endpoint>`), sorted. */
  async members(): Promise<string[]> {
    return (await this.redis.hkeys(this.everyKey)).sort();
  }

  /**
   * One round trip: ends the leases of `done` polls, renews those of `running` ones for `leaseMs`, and
   * claims up to `max` polls (expired leases first, then due ones, each moved to its next run and
   * leased for `leaseMs`).
   */
  async claim(nowMs: number, max: number, leaseMs: number, done: readonly string[], running: readonly string[]): Promise<Claim> {
    const flat = await this.redis.spmScheduleClaim(this.key, this.everyKey, this.leasesKey,
      String(nowMs), String(max), String(leaseMs), String(done.length), ...done, String(running.length), ...running);
    const polls: Claim['polls'] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) polls.push({ member: flat[i], dueMs: Number(flat[i + 1]) });
    const next = Number(flat[flat.length - 1]);
    return { polls, nextDueMs: next >= 0 ? next : null };
  }

  /**
   * Moves a poll the budget had no room for to `atMs`, unless its next run comes first (then that run is
   * the retry). A member no longer scheduled stays unscheduled.
   */
  async postpone(member: string, atMs: number): Promise<void> {
    await this.redis.zadd(this.key, 'XX', 'LT', atMs, member);
  }

  /**
   * Makes `endpoints` of `account` due now (their regular runs keep their times). `reason` makes it once
   * per event: replicas that saw the same event (same reason) poll once. Budget and credential back-off
   * apply as to any poll.
   */
  async pollNow(account: string, endpoints: readonly Endpoint[], reason: string, nowMs = Date.now()): Promise<boolean> {
    if (endpoints.length === 0) return false;
    return (await this.redis.spmSchedulePollNow(this.key, `${this.key}:now:${reason}:${account}`, String(nowMs), String(POLL_NOW_KEEP_MS),
      ...endpoints.map((e) => scheduleMember(account, e)))) === 1;
  }
}
