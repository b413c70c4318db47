import { Redis } from 'ioredis';
import { TokenStore } from '../../src/sendpulse/token-store';
import { waitFor } from '../helpers/wait-for';
import { startPrivateRedis, type PrivateRedis } from '../../src/state/private-redis';

describe('the shared token store', () => {
  let redis: PrivateRedis;
  const conns: Redis[] = [];
  const connect = () => {
    const c = new Redis(redis.url);
    conns.push(c);
    return c;
  };
  beforeAll(async () => { redis = await startPrivateRedis(); });
  afterAll(async () => {
    for (const c of conns) c.disconnect();
    await redis.close();
  });

  it('fetches one token for many concurrent jobs on several replicas', async () => {
    // Three "replicas", each with its own connection and its own in-process single-flight.
    const stores = [0, 1, 2].map(() => new TokenStore(connect(), 'tok1', { lockTtlMs: 5000, waitStepMs: 20 }));
    let fetches = 0;
    const fetch = async () => {
      fetches++;
      await new Promise((r) => setTimeout(r, 200));
      return { accessToken: `token-${fetches}`, expiresInSec: 3600 };
    };
    const tokens = await Promise.all(stores.flatMap((s) => Array.from({ length: 20 }, () => s.get('main', fetch))));
    expect(fetches).toBe(1);
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
  });

  it('keeps accounts apart: each gets its own token', async () => {
    const store = new TokenStore(connect(), 'tok2', { lockTtlMs: 5000 });
    const a = await store.get('a', async () => ({ accessToken: 'for-a', expiresInSec: 3600 }));
    const b = await store.get('b', async () => ({ accessToken: 'for-b', expiresInSec: 3600 }));
    expect([a, b]).toEqual(['for-a', 'for-b']);
    expect(await store.get('a', async () => ({ accessToken: 'never', expiresInSec: 3600 }))).toBe('for-a');
  });

  it('renews inside the margin while the old token still serves other replicas, and never drops a newer token', async () => {
    let now = 1_000_000;
    const s1 = new TokenStore(connect(), 'tok3', { lockTtlMs: 5000, now: () => now });
    const s2 = new TokenStore(connect(), 'tok3', { lockTtlMs: 5000, now: () => now });
    await s1.get('main', async () => ({ accessToken: 'old', expiresInSec: 100 }));
    now += 95_000; // past the 10 % margin (renew at 90 s), before expiry (100 s)
    let release!: () => void;
    const slow = s1.get('main', () => new Promise((r) => { release = () => r({ accessToken: 'new', expiresInSec: 100 }); }));
    // While s1 renews, s2 is served the old, still valid token at once instead of waiting.
    const probe = connect();
    await waitFor('s1 to hold the renewal lock', async () => (await probe.exists('tok3:token:{main}:lock')) === 1, 5000, 10);
    expect(await s2.get('main', async () => ({ accessToken: 'unexpected', expiresInSec: 100 }))).toBe('old');
    release();
    expect(await slow).toBe('new');
    // A 401 seen on the old token must not throw away the new one.
    await s2.invalidate('main', 'old');
    expect(await s2.get('main', async () => ({ accessToken: 'unexpected', expiresInSec: 100 }))).toBe('new');
    await s2.invalidate('main', 'new');
    expect(await s2.get('main', async () => ({ accessToken: 'newer', expiresInSec: 100 }))).toBe('newer');
  });
});
