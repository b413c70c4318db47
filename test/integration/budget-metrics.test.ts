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

  it('reads the usage of thousands of accounts in one pipelined round trip', async () => {
    const accounts = Array.from({ length: 3000 }, (_, i) => makeAccount(`acct-${i}`));
    const config = makeConfig(accounts);
    const budget = new RequestBudget({ redis, prefix: `m${++prefixSeq}`, accounts });
    await budget.take('acct-7');
    const budgetMetrics = makeBudgetMetrics(budget, planConfig(config));
    const stats = async () => Number(/cmdstat_evalsha:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);
    const writes: number[] = [];
    // Count socket writes: a pipeline sends all its commands in one write, not one per account.
    const stream = (redis as unknown as { stream: NodeJS.WritableStream }).stream;
    const write = stream.write.bind(stream);
    (stream as unknown as { write: typeof write }).write = ((chunk: unknown, ...rest: unknown[]) => {
      writes.push(1);
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof write;
    const before = await stats();
    writes.length = 0;
    // The first scrape waits for the usage; later ones serve it and refresh in the background.
    const text = (await budgetMetrics.families()).map((f) => f.text()).join('');
    (stream as unknown as { write: typeof write }).write = write;
    expect(await stats()).toBeGreaterThanOrEqual(before + 3000);
    expect(writes.length).toBeGreaterThanOrEqual(1);
    expect(writes.length).toBeLessThanOrEqual(2);
    expect(text).toContain('sendpulse_api_budget_used{account="acct-7",window="minute"} 1');
    expect(text).toContain('sendpulse_api_budget_used{account="acct-2999",window="day"} 0');
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
