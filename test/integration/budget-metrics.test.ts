import { execFileSync } from 'node:child_process';
import Redis from 'ioredis';
import { budgetMetrics as makeBudgetMetrics } from '../../src/budget/budget-metrics';
import { planConfig } from '../../src/budget/planner';
import { RequestBudget } from '../../src/budget/request-budget';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { makeAccount, makeConfig } from '../unit/budget/make-account';

let server: TestRedis;
let redis: Redis;
let prefixSeq = 0;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  redis.disconnect();
  await server.close();
});

function lines(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`)).sort();
}

describe('budget metrics', () => {
  it('shows limits, usage across replicas, 429s and effective intervals at scrape time, and promtool accepts them', async () => {
    const t = { now: Date.UTC(2026, 0, 5, 10, 0, 0) };
    const config = makeConfig([
      makeAccount('main'),
      makeAccount('shop', { oauth: true, plan: 'standard', budget: { perMinute: 10, perDay: 300 } }),
    ]);
    const prefix = `m${++prefixSeq}`;
    const plan = planConfig(config);
    const budget = new RequestBudget({ redis, prefix, accounts: config.accounts, now: () => t.now });
    const otherReplica = new RequestBudget({ redis, prefix, accounts: config.accounts, now: () => t.now });
    const budgetMetrics = makeBudgetMetrics(budget, plan);

    await budget.take('main');
    await otherReplica.take('main');
    t.now += 5000;
    await budget.take('shop');
    await budget.penalize('shop', 1000);
    const text = (await budgetMetrics.families()).map((f) => f.text()).join('');

    expect(lines(text, 'sendpulse_api_budget_limit')).toEqual([
      'sendpulse_api_budget_limit{account="main",window="day"} 5000',
      'sendpulse_api_budget_limit{account="main",window="minute"} 10',
      'sendpulse_api_budget_limit{account="main",window="second"} 5',
      'sendpulse_api_budget_limit{account="shop",window="day"} 300',
      'sendpulse_api_budget_limit{account="shop",window="minute"} 10',
      'sendpulse_api_budget_limit{account="shop",window="second"} 5',
    ]);
    expect(lines(text, 'sendpulse_api_budget_used')).toEqual([
      'sendpulse_api_budget_used{account="main",window="day"} 2',
      'sendpulse_api_budget_used{account="main",window="minute"} 2',
      'sendpulse_api_budget_used{account="main",window="second"} 0',
      'sendpulse_api_budget_used{account="shop",window="day"} 1',
      'sendpulse_api_budget_used{account="shop",window="minute"} 1',
      'sendpulse_api_budget_used{account="shop",window="second"} 1',
    ]);
    expect(lines(text, 'sendpulse_api_rate_limited_total')).toEqual([
      'sendpulse_api_rate_limited_total{account="main"} 0',
      'sendpulse_api_rate_limited_total{account="shop"} 1',
    ]);
    expect(lines(text, 'sendpulse_schedule_interval_seconds')).toEqual([
      'sendpulse_schedule_interval_seconds{account="main",endpoint="balance"} 300',
      'sendpulse_schedule_interval_seconds{account="main",endpoint="team"} 3600',
      'sendpulse_schedule_interval_seconds{account="main",endpoint="user_info"} 3600',
      'sendpulse_schedule_interval_seconds{account="shop",endpoint="balance"} 371',
      'sendpulse_schedule_interval_seconds{account="shop",endpoint="team"} 4440',
      'sendpulse_schedule_interval_seconds{account="shop",endpoint="user_info"} 4440',
    ]);
    expect(text).not.toMatch(/s3cret|k3y-value/);
    execFileSync('promtool', ['check', 'metrics'], { input: text });
  });

  it('reads the usage of thousands of accounts with one command per shard once each has made a request', async () => {
    const accounts = Array.from({ length: 3000 }, (_, i) => makeAccount(`acct-${i}`));
    const config = makeConfig(accounts);
    const base = `m${++prefixSeq}`;
    // Two shards, as `redis.shards: 2` would give: each has its own snapshot hash.
    const budget = new RequestBudget({ redis, prefix: (a) => `${base}-${Number(a.split('-')[1]) % 2}`, accounts });
    for (let i = 0; i < 3000; i += 100) await Promise.all(accounts.slice(i, i + 100).map((a) => budget.take(a.name)));
    await budget.take('acct-7');
    const budgetMetrics = makeBudgetMetrics(budget, planConfig(config));
    const stats = async () => {
      const info = await redis.info('commandstats');
      const calls = (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
      return { evalsha: calls('evalsha'), hgetall: calls('hgetall') };
    };
    // Left behind by an account removed from the config, and by one that moved to the other shard.
    await redis.hset(`${base}-0:budget:used`, 'gone', `${Date.now()}:1:1:1`, 'acct-1', `${Date.now()}:9:9:9`);
    const before = await stats();
    // The first scrape waits for the usage; later ones serve it and refresh in the background.
    const text = (await budgetMetrics.families()).map((f) => f.text()).join('');
    const after = await stats();
    expect(await redis.hmget(`${base}-0:budget:used`, 'gone', 'acct-1')).toEqual([null, null]);
    expect(text).toContain('sendpulse_api_budget_used{account="acct-1",window="day"} 1');
    expect(after.evalsha - before.evalsha).toBe(0);
    // Two shards' HGETALLs, and the INFO call between them does not count as one.
    expect(after.hgetall - before.hgetall).toBe(2);
    expect(text).toContain('sendpulse_api_budget_used{account="acct-7",window="minute"} 2');
    expect(text).toContain('sendpulse_api_budget_used{account="acct-2999",window="day"} 1');
    expect(text.match(/sendpulse_api_budget_used\{[^}]*window="day"\} 1\n/g)).toHaveLength(2999);
  });

  it('shows an account\'s usage as of its last request, each window 0 once it has passed, and reads accounts without a snapshot exactly', async () => {
    const t = { now: Date.UTC(2026, 0, 5, 10, 0, 0) };
    const accounts = [makeAccount('main'), makeAccount('quiet')];
    const budget = new RequestBudget({ redis, prefix: `m${++prefixSeq}`, accounts, now: () => t.now });
    await budget.take('main');
    t.now += 500;
    await budget.take('main');
    const at = async (ms: number) => {
      t.now = Date.UTC(2026, 0, 5, 10, 0, 0) + ms;
      return Object.fromEntries(await budget.lastUsageMany(['main', 'quiet']));
    };
    expect(await at(600)).toEqual({ main: { second: 2, minute: 2, day: 2 }, quiet: { second: 0, minute: 0, day: 0 } });
    expect(await at(600)).toEqual(Object.fromEntries(await budget.usageMany(['main', 'quiet'])));
    expect((await at(1700)).main).toEqual({ second: 0, minute: 2, day: 2 });
    expect((await at(61_600)).main).toEqual({ second: 0, minute: 0, day: 2 });
    expect((await at(86_401_000 + 60_000 + 500)).main).toEqual({ second: 0, minute: 0, day: 0 });
    // A refused request leaves the snapshot as it was.
    t.now = Date.UTC(2026, 0, 5, 10, 0, 0) + 600;
    await budget.penalize('main', 10_000);
    await expect(budget.take('main')).rejects.toThrow();
    expect((await at(600)).main).toEqual({ second: 2, minute: 2, day: 2 });
  });
});

describe('budget usage in a scrape', () => {
  it('is served at once from the last read and refreshed in the background once older than its maximum age', async () => {
    const accounts = [makeAccount('main')];
    const config = makeConfig(accounts);
    const budget = new RequestBudget({ redis, prefix: `m${++prefixSeq}`, accounts });
    const m = makeBudgetMetrics(budget, planConfig(config), { usageMaxAgeMs: 0 });
    const used = async () => (await m.families()).map((f) => f.text()).join('').match(/sendpulse_api_budget_used\{account="main",window="minute"\} (\d+)/)![1];
    expect(await used()).toBe('0');
    await budget.take('main');
    // This scrape still shows the usage read before, and starts a refresh; the next one shows it.
    expect(await used()).toBe('0');
    await m.refreshUsage();
    expect(await used()).toBe('1');
  });
});
