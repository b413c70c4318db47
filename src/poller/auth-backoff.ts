import type { Cluster, Redis } from 'ioredis';

/** Default first pause after the credentials were rejected (`sendpulse.authBackoff.initial`). */
export const AUTH_BACKOFF_MIN_MS = 60_000;
/** Default cap of the doubling pauses (`sendpulse.authBackoff.max`). */
export const AUTH_BACKOFF_MAX_MS = 30 * 60_000;

/** The pauses of the credential back-off, ms: the first one and the cap of the doubling. */
export interface AuthBackoffPauses {
  initialMs: number;
  maxMs: number;
}

// Polls of several endpoints fail together: only the first failure of a pause lengthens the next one.
const FAILED = `
local left = redis.call('PTTL', KEYS[2])
if left > 0 then return left end
local n = redis.call('INCR', KEYS[1])
local pause = math.min(tonumber(ARGV[1]) * 2 ^ (n - 1), tonumber(ARGV[2]))
redis.call('SET', KEYS[2], '1', 'PX', pause)
return pause`;

/**
 * Pauses polling of an account whose credentials SendPulse rejects: 1 min, doubling to 30 min by default
 * (`sendpulse.authBackoff`), shared by every replica. Retrying bad credentials at the poll rate would only
 * burn the customer's quota and SendPulse's token-request limit; a fixed key stays wrong until someone changes it.
 */
export class AuthBackoff {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    private readonly pauses: AuthBackoffPauses = { initialMs: AUTH_BACKOFF_MIN_MS, maxMs: AUTH_BACKOFF_MAX_MS },
  ) {}

  /** The longest pause, ms. */
  get maxMs(): number {
    return this.pauses.maxMs;
  }

  /** The account's two keys: its failure count and its pause (`until`). */
  keys(account: string): [string, string] {
    return [`${this.prefix}:authfail:{${account}}:count`, `${this.prefix}:authfail:{${account}}:until`];
  }

  /** The key that lives while the account's polling is paused (RequestBudget checks it before every request). */
  pauseKey(account: string): string {
    return this.keys(account)[1];
  }

  /** Ms left in the account's pause, 0 when it may poll. */
  async remainingMs(account: string): Promise<number> {
    const ttl = await this.redis.pttl(this.keys(account)[1]);
    return ttl > 0 ? ttl : 0;
  }

  /** Records one more rejection and starts the next, longer pause; returns its length in ms. */
  async failed(account: string): Promise<number> {
    return Number(await this.redis.eval(FAILED, 2, ...this.keys(account), this.pauses.initialMs, this.pauses.maxMs));
  }

  /** The credentials work again: forget the streak. */
  async succeeded(account: string): Promise<void> {
    await this.redis.del(...this.keys(account));
  }
}
