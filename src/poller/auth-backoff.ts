import type { Redis } from 'ioredis';

/** First pause after the credentials were rejected, and the cap of the doubling pauses. */
export const AUTH_BACKOFF_MIN_MS = 60_000;
export const AUTH_BACKOFF_MAX_MS = 30 * 60_000;

/**
 * Pauses polling of an account whose credentials SendPulse rejects: 1 min, doubling to 30 min, shared by
 * every replica. Retrying bad credentials at the poll rate would only burn the customer's quota and
 * SendPulse's token-request limit; a fixed key stays wrong until someone changes it.
 */
export class AuthBackoff {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}

  private keys(account: string): [string, string] {
    return [`${this.prefix}:authfail:{${account}}:count`, `${this.prefix}:authfail:{${account}}:until`];
  }

  /** Ms left in the account's pause, 0 when it may poll. */
  async remainingMs(account: string): Promise<number> {
    const ttl = await this.redis.pttl(this.keys(account)[1]);
    return ttl > 0 ? ttl : 0;
  }

  /** Records one more rejection and starts the next, longer pause; returns its length in ms. */
  async failed(account: string): Promise<number> {
    const [countKey, untilKey] = this.keys(account);
    const n = await this.redis.incr(countKey);
    const pause = Math.min(AUTH_BACKOFF_MIN_MS * 2 ** (n - 1), AUTH_BACKOFF_MAX_MS);
    await this.redis.set(untilKey, '1', 'PX', pause);
    return pause;
  }

  /** The credentials work again: forget the streak. */
  async succeeded(account: string): Promise<void> {
    await this.redis.del(...this.keys(account));
  }
}
