import { startPrivateRedis, type PrivateRedis } from '../../src/state/private-redis';

/** A real redis-server on a free loopback port, private to one test file (the demo's starter). */
export type TestRedis = PrivateRedis;

/** Starts redis-server (from PATH) with persistence off unless `appendonly` is set. */
export function startRedis(opts: { appendonly?: boolean } = {}): Promise<TestRedis> {
  return startPrivateRedis(opts);
}
