import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../state/redis-connection';

// Take the lease when free, extend it when ours, in one step so two replicas never both hold it.
const HOLD = `
local cur = redis.call('GET', KEYS[1])
if cur == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if cur == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0
`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * A lease in Redis: one key whose value names the holder, with a TTL. Whoever holds it does the
 * work; a holder that dies loses it when the TTL passes, and another replica takes it over.
 */
export class RedisLease {
  readonly id = randomUUID();

  constructor(private readonly redis: RedisClient, readonly key: string, private readonly ttlMs: number) {}

  /** True when this process holds the lease now (taken or extended by `ttlMs`). */
  async hold(): Promise<boolean> {
    return (await this.redis.eval(HOLD, 1, this.key, this.id, String(this.ttlMs))) === 1;
  }

  /** Gives the lease up if this process holds it, so another replica need not wait out the TTL. */
  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, this.id);
  }
}
