import type { Cluster, Redis } from 'ioredis';
import { ENDPOINTS, type Endpoint } from '../sendpulse/endpoints';
import type { Reading } from '../sendpulse/readings';
import { upgradeReading } from './legacy-readings';

/** Why a poll failed; the `reason` label of sendpulse_poll_errors_total. */
export type FailureReason = 'timeout' | 'network' | 'http_5xx' | 'rate_limited' | 'auth' | 'invalid_response';
/** Every FailureReason, in the order the metrics list them. */
export const FAILURE_REASONS: readonly FailureReason[] = ['timeout', 'network', 'http_5xx', 'rate_limited', 'auth', 'invalid_response'];

/** What the store knows about one endpoint of one account. */
export interface EndpointState {
  /** The latest good reading (unreadable fields are null in it); kept when later polls fail. */
  reading: Reading | null;
  /** When that reading was taken (ms epoch), or null before the first success. */
  lastSuccessMs: number | null;
  /** When the latest poll finished, good or bad. */
  lastAttemptMs: number | null;
  /** Whether the latest poll succeeded. */
  ok: boolean;
  /** Why the latest poll failed, when it did. */
  reason: FailureReason | null;
  /** Field path → since when (ms epoch) it has been unreadable in every good poll; empty when all read. */
  unreadableSince: Record<string, number>;
}

/** Everything stored for one account. */
export interface AccountState {
  endpoints: { [E in Endpoint]: EndpointState };
  /** `failing` while the credentials are rejected (invalid_client / 401 after renewal). */
  auth: 'ok' | 'failing';
}

/** What saving a good poll changed, for the one log line per change, and the account as it is now. */
export interface SaveOutcome {
  /** The account's whole state right after the save (for the alert hook: no second read). */
  state: AccountState;
  /** The save's entry id in the change log (ReadingStore.changesSince): `state` is the account as of that entry. */
  changeId: string;
  /** The credentials were failing before this poll (they work again now). */
  authRecovered: boolean;
  /** Fields unreadable now that were readable in the previous good poll. */
  becameUnreadable: string[];
  /** Fields readable again. */
  readableAgain: string[];
}

/**
 * How long the change log keeps entries, ms: a replica that scrapes (or pages) less often than this
 * reads every account again instead of catching up (ReadingStore.changesSince).
 */
export const CHANGE_LOG_MS = 10 * 60_000;

// Every write of an account's hash appends its name to the change log (a stream trimmed to the last
// CHANGE_LOG_MS): each replica's /metrics reads only the accounts changed since its last scrape.
const LOG_CHANGE = `
local function logChange(stream, account, now)
  return redis.call('XADD', stream, 'MINID', '~', tostring(math.max(0, now - ${CHANGE_LOG_MS})), '*', 'a', account)
end
`;

// KEYS: account hash, change log. ARGV: status, account, now ms.
const SET_AUTH = `${LOG_CHANGE}
local prev = redis.call('HGET', KEYS[1], 'auth') or 'ok'
if prev == ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'auth', ARGV[1])
logChange(KEYS[2], ARGV[2], tonumber(ARGV[3]))
return 1`;

// KEYS: account hash, change log. ARGV: endpoint, reason, time ms, account.
const SAVE_FAILURE = `${LOG_CHANGE}
redis.call('HSET', KEYS[1], ARGV[1] .. '.attempt', ARGV[3], ARGV[1] .. '.ok', '0', ARGV[1] .. '.reason', ARGV[2])
logChange(KEYS[2], ARGV[4], tonumber(ARGV[3]))
return 1`;

// Saves a good poll in one step: the reading and times, the unreadable-since map carried over for
// fields still unreadable (so "unreadable for N intervals" counts from the first poll that saw it),
// the credentials marked ok, and a point of each history series whose newest point is at least a
// step old (the time of that point is kept in the account's hash, `hist:SERIES`, so most polls add
// nothing and read one field). Atomic, so of several replicas saving at once exactly one sees each
// change (and logs it). One HMGET reads what the save depends on and one HSET writes the hash (the
// poll's hot path: ~5 commands plus 3 per history point due). Returns the whole hash as it is now,
// so the alert hook reads nothing again.
// KEYS: the account hash, the change log, then one sorted set per history series.
// ARGV: endpoint, reading JSON, time ms, JSON list of unreadable paths, history step ms, history
// window ms, account, then per series its name and value.
const SAVE_SUCCESS = `${LOG_CHANGE}
local ep = ARGV[1]
local at = ARGV[3]
local now = tonumber(at)
-- One read of what the save depends on: the unreadable-since map, the credentials, the history times.
local fields = {ep .. '.unreadable', 'auth'}
for i = 3, #KEYS do fields[i] = 'hist:' .. ARGV[6 + 2 * (i - 2)] end
local old = redis.call('HMGET', KEYS[1], unpack(fields))
local raw = old[1]
local prev = {}
if raw and raw ~= '' then prev = cjson.decode(raw) end
local next, became, cleared, n = {}, {}, {}, 0
for _, p in ipairs(cjson.decode(ARGV[4])) do
  if prev[p] then next[p] = prev[p] else next[p] = now; table.insert(became, p) end
  n = n + 1
end
for p, _ in pairs(prev) do if next[p] == nil then table.insert(cleared, p) end end
local encoded = ''
if n > 0 then encoded = cjson.encode(next) end
local writes = {ep .. '.reading', ARGV[2], ep .. '.success', at, ep .. '.attempt', at,
  ep .. '.ok', '1', ep .. '.reason', '', ep .. '.unreadable', encoded}
local recovered = 0
if (old[2] or 'ok') ~= 'ok' then
  table.insert(writes, 'auth')
  table.insert(writes, 'ok')
  recovered = 1
end
local step, window = tonumber(ARGV[5]), tonumber(ARGV[6])
for i = 3, #KEYS do
  local last = tonumber(old[i] or '0') or 0
  if now - last >= step then
    local value = ARGV[7 + 2 * (i - 2)]
    redis.call('ZADD', KEYS[i], now, at .. ':' .. value)
    redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. tostring(now - window))
    redis.call('PEXPIRE', KEYS[i], window * 2)
    table.insert(writes, fields[i])
    table.insert(writes, at)
  end
end
redis.call('HSET', KEYS[1], unpack(writes))
local changeId = logChange(KEYS[2], ARGV[7], now)
return {recovered, became, cleared, redis.call('HGETALL', KEYS[1]), changeId}`;

/** A point of a history series to record with a good poll: its sorted set, its name and the value. */
export interface HistoryWrite {
  /** The series' key (HistoryStore.key). */
  key: string;
  /** The series' name (a field path); the time of its newest point is kept in the account hash under `hist:NAME`. */
  series: string;
  value: number;
}

/** How history is recorded with a good poll: the points, the least spacing and the window kept (ms). */
export interface HistoryWrites {
  points: readonly HistoryWrite[];
  stepMs: number;
  windowMs: number;
}

type ScriptRedis = (Redis | Cluster) & {
  /** numberOfKeys, keys..., args... (defined without a fixed number of keys). */
  spmSaveSuccess(...args: (string | number)[]): Promise<unknown>;
  spmSaveFailure(...args: string[]): Promise<unknown>;
  spmSetAuth(...args: string[]): Promise<number>;
};

/**
 * The latest reading per (account, endpoint) in Redis, one hash per account. Every replica reads it
 * at scrape time, so all replicas show every account with the same values.
 */
export class ReadingStore {
  private readonly redis: ScriptRedis;

  constructor(redis: Redis | Cluster, private readonly prefix: string) {
    // Defined once per connection: EVALSHA, so the script's text is not sent with every poll.
    if (typeof (redis as ScriptRedis).spmSaveSuccess !== 'function') {
      redis.defineCommand('spmSaveSuccess', { lua: SAVE_SUCCESS });
      redis.defineCommand('spmSaveFailure', { numberOfKeys: 2, lua: SAVE_FAILURE });
      redis.defineCommand('spmSetAuth', { numberOfKeys: 2, lua: SET_AUTH });
    }
    this.redis = redis as ScriptRedis;
  }

  /** The Redis key of an account's hash. */
  key(account: string): string {
    return `${this.prefix}:acct:${account}`;
  }

  /**
   * Records a good poll: the reading replaces the previous one (unreadable fields null in it, never
   * the old value), and the credentials are marked ok. Says what changed, for one log line per change.
   */
  async saveSuccess(account: string, endpoint: Endpoint, reading: Reading, atMs: number, history?: HistoryWrites): Promise<SaveOutcome> {
    const paths = [...new Set(reading.unreadable.map((p) => p.path))];
    const points = (history?.points ?? []).filter((p) => Number.isFinite(p.value));
    const [recovered, became, cleared, flat, changeId] = (await this.redis.spmSaveSuccess(2 + points.length, this.key(account), this.changesKey,
      ...points.map((p) => p.key),
      endpoint, JSON.stringify(reading), String(atMs), JSON.stringify(paths), String(history?.stepMs ?? 0), String(history?.windowMs ?? 0),
      account, ...points.flatMap((p) => [p.series, String(p.value)]))) as [number, string[], string[], string[], string];
    const hash: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) hash[flat[i]] = flat[i + 1];
    return { authRecovered: recovered === 1, becameUnreadable: became, readableAgain: cleared, state: decodeAccount(hash), changeId };
  }

  /** Records a failed poll; the last good reading stays. */
  async saveFailure(account: string, endpoint: Endpoint, reason: FailureReason, atMs: number): Promise<void> {
    await this.redis.spmSaveFailure(this.key(account), this.changesKey, endpoint, reason, String(atMs), account);
  }

  /** Marks the account's credentials as failing or ok; returns true when that changed the state. */
  async setAuth(account: string, status: 'ok' | 'failing', atMs = Date.now()): Promise<boolean> {
    // Atomic, so that of several polls failing at once exactly one sees the change (and logs it).
    return (await this.redis.spmSetAuth(this.key(account), this.changesKey, status, account, String(atMs))) === 1;
  }

  /** The change log: a stream of the names of accounts whose hash was written, trimmed to CHANGE_LOG_MS. */
  get changesKey(): string {
    return `${this.prefix}:changes`;
  }

  /**
   * The accounts written since `cursor` (a change-log id from an earlier call), each with its newest
   * entry id (a state known as of that id or later needs no read), and the cursor to pass next time.
   * `changed` is null when the caller must read every account again: no cursor yet, or the log no
   * longer reaches back to it (trimmed, or lost with Redis's data). One round trip.
   */
  async changesSince(cursor: string | null): Promise<{ cursor: string; changed: ReadonlyMap<string, string> | null }> {
    const pipe = this.redis.pipeline();
    pipe.xrange(this.changesKey, '-', '+', 'COUNT', 1);
    pipe.xrevrange(this.changesKey, '+', '-', 'COUNT', 1);
    if (cursor !== null) pipe.xrange(this.changesKey, `(${cursor}`, '+');
    const res = (await pipe.exec()) ?? [];
    for (const [err] of res) if (err) throw err;
    const first = (res[0][1] as [string, string[]][])[0]?.[0] ?? null;
    const last = (res[1][1] as [string, string[]][])[0]?.[0] ?? cursor ?? '0-0';
    if (cursor === null || (first !== null && compareIds(first, cursor) > 0) || (first === null && cursor !== '0-0')) {
      return { cursor: last, changed: null };
    }
    const entries = res[2][1] as [string, string[]][];
    const changed = new Map<string, string>();
    let newest = cursor;
    for (const [id, fields] of entries) {
      newest = id;
      for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'a') changed.set(fields[i + 1], id);
    }
    return { cursor: newest, changed };
  }

  /** One account's state. */
  async get(account: string): Promise<AccountState> {
    return decodeAccount(await this.redis.hgetall(this.key(account)));
  }

  /** Several accounts in one round trip (pipelined), in the given order. */
  async getMany(accounts: readonly string[]): Promise<AccountState[]> {
    if (accounts.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const a of accounts) pipe.hgetall(this.key(a));
    const res = (await pipe.exec()) ?? [];
    return res.map(([err, hash]) => {
      if (err) throw err;
      return decodeAccount(hash as Record<string, string>);
    });
  }
}

/** Orders two stream entry ids (`<ms>-<seq>`): negative, 0 or positive as a is before, equal to or after b. */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}

function num(v: string | undefined): number | null {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function json(v: string | undefined): unknown {
  if (!v) return null;
  try {
    return JSON.parse(v);
  } catch {
    return null;
  }
}

/** An account's state from its hash (an empty hash: never polled). */
export function decodeAccount(hash: Record<string, string>): AccountState {
  const endpoints = {} as AccountState['endpoints'];
  for (const ep of ENDPOINTS) {
    const since = json(hash[`${ep}.unreadable`]);
    const raw = hash[`${ep}.reading`];
    let reading: Reading | null | undefined;
    endpoints[ep] = {
      // Parsed when first read: after a poll of one endpoint the alert rules read that one's reading only.
      get reading(): Reading | null {
        if (reading === undefined) reading = upgradeReading(ep, json(raw));
        return reading;
      },
      lastSuccessMs: num(hash[`${ep}.success`]),
      lastAttemptMs: num(hash[`${ep}.attempt`]),
      ok: hash[`${ep}.ok`] === '1',
      reason: (hash[`${ep}.reason`] || null) as FailureReason | null,
      unreadableSince: since && typeof since === 'object' && !Array.isArray(since) ? (since as Record<string, number>) : {},
    };
  }
  return { endpoints, auth: hash.auth === 'failing' ? 'failing' : 'ok' };
}
