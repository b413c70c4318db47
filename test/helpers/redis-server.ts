import { Redis } from 'ioredis';
import { startPrivateRedis, type PrivateRedis } from '../../src/state/private-redis';

/** A real redis-server on a free loopback port, private to one test file (the demo's starter). */
export type TestRedis = PrivateRedis;

/** Starts redis-server (from PATH) with persistence off unless `appendonly` is set. */
export function startRedis(opts: { appendonly?: boolean } = {}): Promise<TestRedis> {
  return startPrivateRedis(opts);
}

/**
 * A private redis-server and one connection to it for the test file: started in beforeAll, closed in
 * afterAll. Call at the top of a describe; the returned function gives the connection inside tests.
 */
export function usePrivateRedis(): () => Redis {
  let redis: TestRedis;
  let conn: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    conn = new Redis(redis.url);
  });
  afterAll(async () => {
    conn.disconnect();
    await redis.close();
  });
  return () => conn;
}
