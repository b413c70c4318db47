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

/** What saving a good poll changed, for the one log line per change. */
export interface SaveOutcome {
  /** The credentials were failing before this poll (they work again now). */
  authRecovered: boolean;
  /** Fields unreadable now that were readable in the previous good poll. */
  becameUnreadable: string[];
  /** Fields readable again. */
  readableAgain: string[];
}

const SET_AUTH = `
local prev = redis.call('HGET', KEYS[1], 'auth') or 'ok'
if prev == ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'auth', ARGV[1])
return 1`;

// Saves a good poll in one step: the reading and times, the unreadable-since map carried over for
// fields still unreadable (so "unreadable for N intervals" counts from the first poll that saw it),
// and the credentials marked ok. Atomic, so of several replicas saving at once exactly one sees each
// change (and logs it). ARGV: endpoint, reading JSON, time ms, JSON list of unreadable paths.
const SAVE_SUCCESS = `
local ep = ARGV[1]
local at = ARGV[3]
local raw = redis.call('HGET', KEYS[1], ep .. '.unreadable')
local prev = {}
if raw and raw ~= '' then prev = cjson.decode(raw) end
local next, became, cleared, n = {}, {}, {}, 0
for _, p in ipairs(cjson.decode(ARGV[4])) do
  if prev[p] then next[p] = prev[p] else next[p] = tonumber(at); table.insert(became, p) end
  n = n + 1
end
for p, _ in pairs(prev) do if next[p] == nil then table.insert(cleared, p) end end
local encoded = ''
if n > 0 then encoded = cjson.encode(next) end
redis.call('HSET', KEYS[1], ep .. '.reading', ARGV[2], ep .. '.success', at, ep .. '.attempt', at,
  ep .. '.ok', '1', ep .. '.reason', '', ep .. '.unreadable', encoded)
local recovered = 0
if (redis.call('HGET', KEYS[1], 'auth') or 'ok') ~= 'ok' then
  redis.call('HSET', KEYS[1], 'auth', 'ok')
  recovered = 1
end
return {recovered, became, cleared}`;

/**
 * The latest reading per (account, endpoint) in Redis, one hash per account. Every replica reads it
 * at scrape time, so all replicas show every account with the same values.
 */
export class ReadingStore {
  constructor(private readonly redis: Redis | Cluster, private readonly prefix: string) {}

  /** The Redis key of an account's hash. */
  key(account: string): string {
    return `${this.prefix}:acct:${account}`;
  }

  /**
   * Records a good poll: the reading replaces the previous one (unreadable fields null in it, never
   * the old value), and the credentials are marked ok. Says what changed, for one log line per change.
   */
  async saveSuccess(account: string, endpoint: Endpoint, reading: Reading, atMs: number): Promise<SaveOutcome> {
    const paths = [...new Set(reading.unreadable.map((p) => p.path))];
    const [recovered, became, cleared] = (await this.redis.eval(SAVE_SUCCESS, 1, this.key(account),
      endpoint, JSON.stringify(reading), String(atMs), JSON.stringify(paths))) as [number, string[], string[]];
    return { authRecovered: recovered === 1, becameUnreadable: became, readableAgain: cleared };
  }

  /** Records a failed poll; the last good reading stays. */
  async saveFailure(account: string, endpoint: Endpoint, reason: FailureReason, atMs: number): Promise<void> {
    await this.redis.hset(this.key(account), {
      [`${endpoint}.attempt`]: String(atMs),
      [`${endpoint}.ok`]: '0',
      [`${endpoint}.reason`]: reason,
    });
  }

  /** Marks the account's credentials as failing or ok; returns true when that changed the state. */
  async setAuth(account: string, status: 'ok' | 'failing'): Promise<boolean> {
    // Atomic, so that of several polls failing at once exactly one sees the change (and logs it).
    return (await this.redis.eval(SET_AUTH, 1, this.key(account), status)) === 1;
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
    endpoints[ep] = {
      reading: upgradeReading(ep, json(hash[`${ep}.reading`])),
      lastSuccessMs: num(hash[`${ep}.success`]),
      lastAttemptMs: num(hash[`${ep}.attempt`]),
      ok: hash[`${ep}.ok`] === '1',
      reason: (hash[`${ep}.reason`] || null) as FailureReason | null,
      unreadableSince: since && typeof since === 'object' && !Array.isArray(since) ? (since as Record<string, number>) : {},
    };
  }
  return { endpoints, auth: hash.auth === 'failing' ? 'failing' : 'ok' };
}
