import Redis from 'ioredis';
import { request } from 'undici';
import { RequestBudget } from '../../src/budget/request-budget';
import { BudgetExhaustedError } from '../../src/errors';
import { startSimulator } from '../../src/simulator';
import type { Simulator } from '../../src/simulator';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { makeAccount } from '../unit/budget/make-account';

let server: TestRedis;
let sim: Simulator;
const conns: Redis[] = [];

beforeAll(async () => {
  server = await startRedis();
  sim = await startSimulator({
    accounts: [
      { id: 'shop', apiKey: 'shop-key' },
      { id: 'blog', apiKey: 'blog-key' },
    ],
  });
});
afterAll(async () => {
  conns.forEach((c) => c.disconnect());
  await sim.close();
  await server.close();
});

function replica(prefix: string, accounts = [makeAccount('shop', { budget: { perSecond: 3, perMinute: 12 } }), makeAccount('blog')]): RequestBudget {
  const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
  conns.push(redis);
  return new RequestBudget({ redis, prefix, accounts });
}

/** What a poll does: take from the budget, then send; a refusal waits as long as the budget says. */
async function pollLoop(budget: RequestBudget, account: string, key: string, until: number): Promise<void> {
  while (Date.now() < until) {
    try {
      await budget.take(account);
    } catch (err) {
      if (!(err instanceof BudgetExhaustedError)) throw err;
      await new Promise((r) => setTimeout(r, Math.min(err.delayMs, until - Date.now())));
      continue;
    }
    const res = await request(`${sim.url}/user/balance/detail`, { headers: { authorization: `Bearer ${key}` } });
    await res.body.text();
    if (res.statusCode === 429) {
      const retryAfter = Number(res.headers['retry-after']);
      await budget.penalize(account, Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined);
    } else {
      await budget.succeeded(account);
    }
  }
}

describe('budget against the simulator over HTTP', () => {
  it('two replicas hammering one account never put more than perSecond into any second of the simulator\'s log', async () => {
    sim.clearRequests();
    const prefix = 'sim1';
    const until = Date.now() + 5000;
    const loops = [replica(prefix), replica(prefix)].flatMap((b) => Array.from({ length: 4 }, () => pollLoop(b, 'shop', 'shop-key', until)));
    await Promise.all(loops);
    const arrivals = sim.requests({ account: 'shop' }).map((r) => r.time);
    const maxIn = (span: number) => Math.max(...arrivals.map((t) => arrivals.filter((u) => u >= t && u < t + span).length));
    expect(maxIn(1000)).toBeLessThanOrEqual(3);
    // The minute budget is used up and held: 12, not more, and no 429 from SendPulse.
    expect(arrivals.length).toBe(12);
    expect(sim.requests({ account: 'shop', status: 429 })).toEqual([]);
  });

  it('a 429 with Retry-After pauses that account for that long while another keeps polling', async () => {
    sim.clearRequests();
    const prefix = 'sim2';
    const budget = replica(prefix, [makeAccount('shop', { budget: { perSecond: 5, perMinute: 100 } }), makeAccount('blog', { budget: { perSecond: 5, perMinute: 100 } })]);
    sim.setFault({ kind: 'status_429', account: 'shop', retryAfterSeconds: 2, count: 1 });
    const until = Date.now() + 3500;
    await Promise.all([pollLoop(budget, 'shop', 'shop-key', until), pollLoop(budget, 'blog', 'blog-key', until)]);
    const shop = sim.requests({ account: 'shop' });
    const first429 = shop.find((r) => r.status === 429);
    expect(first429).toBeDefined();
    const next = shop.find((r) => r.time > (first429 as { time: number }).time);
    expect(next).toBeDefined();
    expect((next as { time: number }).time - (first429 as { time: number }).time).toBeGreaterThanOrEqual(2000);
    const at = (first429 as { time: number }).time;
    const blogDuringPause = sim.requests({ account: 'blog' }).filter((r) => r.time > at && r.time < at + 2000);
    expect(blogDuringPause.length).toBeGreaterThanOrEqual(5);
    expect(budget.rateLimitedCounts().get('shop')).toBe(1);
  });
});
