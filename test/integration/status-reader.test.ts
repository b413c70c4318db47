import Redis from 'ioredis';
import { accountName, fillStatusState } from '../../bench/fill-status-state';
import { planConfig } from '../../src/budget/planner';
import { RequestBudget } from '../../src/budget/request-budget';
import type { MonitorConfig } from '../../src/config/types';
import { StatusPages } from '../../src/status/status-pages';
import { StatusReader } from '../../src/status/status-reader';
import type { AccountDetail, AlertsData, OverviewData } from '../../src/status/status-types';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { DAY, makeConfig } from '../unit/alerts/config-fixture';

const NOW = Date.UTC(2026, 4, 1, 12);
const N = 5000;
const PREFIX = 'st';

let server: TestRedis;
let redis: Redis;

/**
 * A client that counts exchanges with Redis: a pipeline's exec is one, a command sent alone is one.
 * (Commands sent concurrently still count one each: the count is an upper bound on round trips.)
 */
function counting(r: Redis): { client: Redis; trips: () => number; reset: () => void } {
  let n = 0;
  const commands = new Set([...r.getBuiltinCommands(), 'spmBudgetUsage', 'spmAlertTransition2']);
  const client = new Proxy(r, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop === 'pipeline' || prop === 'multi') {
        return (...args: unknown[]) => {
          const pipe = (v as (...a: unknown[]) => { exec: () => Promise<unknown> }).apply(target, args);
          const exec = pipe.exec.bind(pipe);
          pipe.exec = () => { n++; return exec(); };
          return pipe;
        };
      }
      if (typeof prop === 'string' && typeof v === 'function' && commands.has(prop)) {
        return (...args: unknown[]) => { n++; return (v as (...a: unknown[]) => unknown).apply(target, args); };
      }
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { client, trips: () => n, reset: () => { n = 0; } };
}

function setup(accounts: number) {
  const config: MonitorConfig = makeConfig({ accounts: Array.from({ length: accounts }, (_, i) => accountName(i + 1)) });
  config.redis.prefix = PREFIX;
  const c = counting(redis);
  const budget = new RequestBudget({ redis: c.client, prefix: PREFIX, accounts: config.accounts, now: () => NOW });
  const reader = new StatusReader({ redis: c.client, config, plan: planConfig(config), budget, now: () => NOW });
  const pages = new StatusPages(reader, { version: 'test', refreshSeconds: 15, windowMs: config.alerts.runwayWindow, unavailable: () => null, now: () => NOW });
  return { ...c, pages, config };
}

async function get<T>(pages: StatusPages, path: string): Promise<{ status: number; body: string; json: () => T; headers: Record<string, string> }> {
  const [p, q = ''] = path.split('?');
  const r = (await pages.handle(p, new URLSearchParams(q)))!;
  return { ...r, json: () => JSON.parse(r.body) as T };
}

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  await fillStatusState(redis, { prefix: PREFIX, accounts: N, points: 40, windowMs: 7 * DAY, now: NOW });
}, 120_000);
afterAll(async () => {
  redis.disconnect();
  await server.close();
});

describe('status pages on 5,000 accounts in Redis', () => {
  it('renders the overview in well under a second, worst first, in two round trips whatever the number of accounts', async () => {
    const big = setup(N);
    const t0 = performance.now();
    const res = await get<never>(big.pages, '/');
    const ms = performance.now() - t0;
    expect(res.status).toBe(200);
    expect(ms).toBeLessThan(1000);
    expect(big.trips()).toBe(2);
    const api = (await get<OverviewData>(big.pages, '/api/v1/accounts')).json();
    expect(api.total).toBe(N);
    expect(api.pages).toBe(N / 50);
    expect(api.counts).toEqual({ accounts: N, critical: N / 10, warning: Math.floor(N / 7) - Math.floor(N / 70), firingAlerts: N / 10 + Math.floor(N / 7) });
    expect(api.accounts.slice(0, 3).map((a) => [a.name, a.severity])).toEqual([['acct-00010', 'critical'], ['acct-00020', 'critical'], ['acct-00030', 'critical']]);
    expect(api.accounts[0].firing[0].headline).toBe('balance 1.00 USD is below 2 USD');
    expect(api.accounts[0].trends[0].points.length).toBe(40);

    const small = setup(10);
    await get(small.pages, '/');
    expect(small.trips()).toBe(2);
    // 500 rows (the most a page shows) are still one pipeline.
    big.reset();
    expect((await get<OverviewData>(big.pages, '/api/v1/accounts?per=500&page=3')).json().accounts).toHaveLength(500);
    expect(big.trips()).toBe(2);
  });

  it('searches, filters and pages with query parameters alone', async () => {
    const { pages } = setup(N);
    const byName = (await get<OverviewData>(pages, '/api/v1/accounts?q=acct-0004&sort=name')).json();
    expect(byName.total).toBe(10);
    expect(byName.accounts.map((a) => a.name)).toEqual(Array.from({ length: 10 }, (_, i) => accountName(40 + i)));
    const firing = (await get<OverviewData>(pages, '/api/v1/accounts?firing=1&service=email&per=10&page=2')).json();
    expect(firing.total).toBe(Math.floor(N / 7));
    expect(firing.accounts.every((a) => a.firing.some((f) => f.service === 'email'))).toBe(true);
    const html = (await get(pages, '/?firing=1&service=email&page=2&per=10')).body;
    expect(html).toContain('Page 2 of');
    expect(html).toContain('href="/?firing=1&amp;service=email&amp;per=10&amp;page=3"');
  });

  it('serves an account page and /alerts in a few round trips, with every value and the firing alerts', async () => {
    const { pages, trips, reset } = setup(N);
    const d = (await get<AccountDetail>(pages, '/api/v1/accounts/acct-00070')).json();
    expect(trips()).toBeLessThanOrEqual(4);
    expect(d.summary.severity).toBe('critical');
    expect(d.alerts.map((a) => [a.rule, a.service, a.severity])).toEqual([['balance', 'balance', 'critical'], ['tariffExpiry', 'email', 'warning']]);
    expect(d.endpoints.find((e) => e.status.endpoint === 'balance')!.fields.find((f) => f.path === 'email.emails_left')!.value).toBe((70 * 7919) % 100000);
    // No personal data: the phone is checked, never kept.
    expect(JSON.stringify(d)).not.toMatch(/phone|Samwise|@example/);
    reset();
    const alerts = (await get<AlertsData>(pages, '/api/v1/alerts')).json();
    expect(trips()).toBeLessThanOrEqual(3);
    expect(alerts.total).toBe(N / 10 + Math.floor(N / 7));
    expect(alerts.alerts).toHaveLength(100);
    expect(alerts.alerts[0]).toMatchObject({ account: 'acct-00010', severity: 'critical', since: new Date(NOW - 3600_000).toISOString() });
    expect((await get(pages, '/accounts/nobody')).status).toBe(404);
    expect((await get(pages, '/api/v1/accounts/nobody')).status).toBe(404);
    expect(await pages.handle('/nothing-here', new URLSearchParams())).toBeNull();
  });
});
