import type { Cluster, Redis } from 'ioredis';
import type { Endpoint } from '../config/types';
import type { ReadingByEndpoint } from '../sendpulse/readings';

/** Why a poll failed; the `reason` label of sendpulse_poll_errors_total. */
export type FailureReason = 'timeout' | 'network' | 'http_5xx' | 'rate_limited' | 'auth' | 'invalid_response';

/** What the store knows about one endpoint of one account. */
export interface EndpointState<E extends Endpoint = Endpoint> {
  /** The latest good reading; kept when later polls fail. */
  reading: ReadingByEndpoint[E] | null;
  /** When that reading was taken (ms epoch), or null before the first success. */
  lastSuccessMs: number | null;
  /** When the latest poll finished, good or bad. */
  lastAttemptMs: number | null;
  /** Whether the latest poll succeeded. */
  ok: boolean;
  /** Why the latest poll failed, when it did. */
  reason: FailureReason | null;
}

/** Everything stored for one account. */
export interface AccountState {
  endpoints: { [E in Endpoint]: EndpointState<E> };
  /** `failing` while the credentials are rejected (invalid_client / 401 after renewal). */
  auth: 'ok' | 'failing';
}

const SET_AUTH = `
local prev = redis.call('HGET', KEYS[1], 'auth') or 'ok'
if prev == ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'auth', ARGV[1])
return 1`;

// HSET the fields, then mark the credentials ok; 1 when they were failing before.
const SAVE_SUCCESS = `
redis.call('HSET', KEYS[1], unpack(ARGV))
if (redis.call('HGET', KEYS[1], 'auth') or 'ok') == 'ok' then return 0 end
redis.call('HSET', KEYS[1], 'auth', 'ok')
return 1`;

const ENDPOINT_LIST: Endpoint[] = ['user_info', 'team', 'balance'];

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
   * Records a good poll: the reading replaces the previous one, and the credentials are marked ok.
   * Returns true when that changed them from failing (as setAuth(account, 'ok') would).
   */
  async saveSuccess<E extends Endpoint>(account: string, endpoint: E, reading: ReadingByEndpoint[E], atMs: number): Promise<boolean> {
    // One script, not HSET then setAuth: one round trip per good poll instead of two (benchmark).
    const at = String(atMs);
    return (await this.redis.eval(SAVE_SUCCESS, 1, this.key(account),
      `${endpoint}.reading`, JSON.stringify(reading), `${endpoint}.success`, at, `${endpoint}.attempt`, at,
      `${endpoint}.ok`, '1', `${endpoint}.reason`, '')) === 1;
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

function decodeAccount(hash: Record<string, string>): AccountState {
  const endpoints = {} as AccountState['endpoints'];
  for (const ep of ENDPOINT_LIST) {
    const raw = hash[`${ep}.reading`];
    (endpoints as Record<Endpoint, EndpointState>)[ep] = {
      reading: raw ? JSON.parse(raw) : null,
      lastSuccessMs: num(hash[`${ep}.success`]),
      lastAttemptMs: num(hash[`${ep}.attempt`]),
      ok: hash[`${ep}.ok`] === '1',
      reason: (hash[`${ep}.reason`] || null) as FailureReason | null,
    };
  }
  return { endpoints, auth: hash.auth === 'failing' ? 'failing' : 'ok' };
}
