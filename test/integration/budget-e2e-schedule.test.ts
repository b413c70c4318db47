import { Redis } from 'ioredis';
import { RequestBudget } from '../../src/budget/request-budget';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import type { RequestRecord, SimEndpoint } from '../../src/simulator/types';
import { killAll, spawnCli, startMonitorEnv, type CliProcess, type MonitorEnv } from '../helpers/monitor-env';
import { sampleValue, scrape } from '../helpers/metrics-text';
import { waitFor } from '../helpers/wait-for';

/**
 * Issue 3 through the real worker: a 429 pauses only its account, and `plan` tells the truth about
 * what `run` will cost, both checked against the simulator's request log.
 */

const POLLED: { endpoint: SimEndpoint; column: string; key: string }[] = [
  { endpoint: 'balance', column: 'BALANCE', key: 'balance' },
  { endpoint: 'user_info', column: 'USER_INFO', key: 'user_info' },
  { endpoint: 'team', column: 'TEAM', key: 'team' },
];

/** The table `plan` printed, as one record per account keyed by column header. */
function parseTable(stdout: string): Map<string, Record<string, string>> {
  const [header, ...rows] = stdout.trim().split('\n').map((l) => l.split(/ {2,}/));
  return new Map(rows.map((cells) => [cells[0], Object.fromEntries(header.map((h, i) => [h, cells[i]]))]));
}

/** "6s" or "1m30s" as seconds (the table prints intervals the way the config writes them). */
function seconds(text: string): number {
  let s = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|[dhms])/g)) s += Number(n) * { d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 }[unit as 'd' | 'h' | 'm' | 's' | 'ms'];
  return s;
}

/** Mean seconds between consecutive requests (the interval the simulator saw). */
function meanGap(records: RequestRecord[]): number {
  return (records[records.length - 1].time - records[0].time) / (records.length - 1) / 1000;
}

describe('429s and the plan, end to end (issue 3)', () => {
  let env: MonitorEnv;
  const procs: CliProcess[] = [];
  const run = (args: string[]) => {
    const p = spawnCli(args);
    procs.push(p);
    return p;
  };

  beforeAll(async () => {
    env = await startMonitorEnv(['paused', 'steady', 'fits', 'stretched', 'crowded', 'calm'].map((id, i) => ({
      id,
      apiKey: `${id}-key`,
      // The customer's own applications use most of 'crowded''s per-second limit: one request a second is left.
      quota: id === 'crowded' ? { perSecond: 1 } : undefined,
      userInfo: sampleUserInfo(20 + i, 'P Q'),
      team: sampleTeam(),
      balanceDetail: sampleBalanceDetail(Date.now()),
    })));
  });
  afterEach(async () => {
    env.sim.clearFaults();
    await killAll(procs);
  });
  afterAll(() => env.close());

  it('a 429 with Retry-After pauses exactly that account for that long, widens when repeated, while another account keeps polling', async () => {
    const account = (name: string) => `
  - name: ${name}
    apiKey: ${name}-key
    intervals: { balance: 1s, userInfo: 1h, team: 1h }
    budget: { perMinute: 600, perDay: 100000, perSecond: 5 }`;
    const p = run(['run', '--config', env.writeConfig(account('paused') + account('steady'))]);
    const url = await p.url();
    await waitFor('both accounts polling', () => env.sim.requests({ account: 'paused', status: 200 }).length >= 2 && env.sim.requests({ account: 'steady', status: 200 }).length >= 2);

    const fault = env.sim.setFault({ kind: 'status_429', account: 'paused', retryAfterSeconds: 2 });
    await waitFor('two 429s in a row', () => env.sim.requests({ account: 'paused', status: 429 }).length >= 2, 10_000);
    env.sim.clearFaults(fault.id);
    const [first, second] = env.sim.requests({ account: 'paused', status: 429 });
    // A request that had taken its budget slot before the 429 came back is already on its way and
    // arrives within milliseconds of it: the pause governs requests issued after the 429 is seen.
    const IN_FLIGHT_MS = 100;
    await waitFor('the account to poll again', () => env.sim.requests({ account: 'paused', since: second.time + IN_FLIGHT_MS }).length >= 1, 10_000);
    const resumed = env.sim.requests({ account: 'paused', since: second.time + IN_FLIGHT_MS })[0];
    expect(env.sim.requests({ account: 'paused', since: second.time + 1, until: second.time + IN_FLIGHT_MS }).length).toBeLessThanOrEqual(1);

    // Nothing of that account between the two 429s: the job was not retried in a loop.
    expect(env.sim.requests({ account: 'paused', since: first.time + 1, until: second.time })).toEqual([]);
    // Retry-After: 2 honoured, and not much longer (a 1 s schedule wakes up right after the pause).
    expect(second.time - first.time).toBeGreaterThanOrEqual(2000);
    expect(second.time - first.time).toBeLessThan(4000);
    // The second 429 in a row doubles the pause.
    expect(resumed.time - second.time).toBeGreaterThanOrEqual(4000);
    expect(resumed.status).toBe(200);
    // The other account went on at its own pace through both pauses, untouched.
    const steady = env.sim.requests({ account: 'steady', since: first.time, until: resumed.time });
    expect(steady.length).toBeGreaterThanOrEqual(Math.floor((resumed.time - first.time) / 1000) - 2);
    expect(steady.every((r) => r.status === 200)).toBe(true);

    const samples = await scrape(url);
    expect(sampleValue(samples, 'sendpulse_api_rate_limited_total', { account: 'paused' })).toBe(2);
    expect(sampleValue(samples, 'sendpulse_api_rate_limited_total', { account: 'steady' }) ?? 0).toBe(0);
  });

  it('error 2020202020 (no Retry-After) pauses that account for the rest of the minute, counted, while another keeps polling', async () => {
    const account = (name: string) => `
  - name: ${name}
    apiKey: ${name}-key
    intervals: { balance: 1s, userInfo: 1s, team: 1s }
    budget: { perMinute: 200, perDay: 300000, perSecond: 3 }`;
    const prefix = 'persecond';
    const p = run(['run', '--config', env.writeConfig(account('crowded') + account('calm'), '', prefix)]);
    const url = await p.url();
    // All three endpoints fire together: the simulator lets one through and answers 2020202020 to the rest.
    await waitFor('error 2020202020', () => env.sim.requests({ account: 'crowded', status: 429 }).length >= 1);
    const at = Date.now();
    const calmBefore = env.sim.requests({ account: 'calm' }).length;
    await waitFor('4 s of polling by the other account', () => Date.now() - at >= 4000, 6000);

    const rateLimited = env.sim.requests({ account: 'crowded', status: 429 });
    const last429 = rateLimited[rateLimited.length - 1].time;
    // No Retry-After: nothing more of that account, not even once a second passed.
    expect(env.sim.requests({ account: 'crowded', since: last429 + 1 })).toEqual([]);
    expect(env.sim.requests({ account: 'calm' }).length - calmBefore).toBeGreaterThanOrEqual(6);
    expect(env.sim.requests({ account: 'calm', status: 429 })).toEqual([]);
    // The pause shared by all replicas runs to the end of a whole minute from the 429.
    const redis = new Redis(env.redis.url);
    try {
      const budget = new RequestBudget({ redis, prefix, accounts: env.config(account('crowded')).accounts });
      const pausedUntil = Number(await redis.get(budget.key('crowded', 'pause')));
      expect(pausedUntil - last429).toBeGreaterThanOrEqual(59_000);
    } finally {
      redis.disconnect();
    }
    const samples = await scrape(url);
    expect(sampleValue(samples, 'sendpulse_api_rate_limited_total', { account: 'crowded' })).toBe(rateLimited.length);
  });

  it('plan prints the rates and intervals that run then makes, stretched where the budget asks, and the metrics show them', async () => {
    const file = env.writeConfig(`
  - name: fits
    apiKey: fits-key
    intervals: { balance: 2s, userInfo: 3s, team: 5s }
    budget: { perMinute: 100, perDay: 200000, perSecond: 5 }
  - name: stretched
    apiKey: stretched-key
    intervals: { balance: 1s, userInfo: 1s, team: 1s }
    budget: { perMinute: 30, perDay: 50000, perSecond: 5 }`);
    const plan = run(['plan', '--config', file]);
    expect(await plan.exited).toBe(0);
    const table = parseTable(plan.output().split('\nwarning:')[0]);
    const fits = table.get('fits') as Record<string, string>;
    const stretched = table.get('stretched') as Record<string, string>;
    expect(fits.STATUS).toBe('fits');
    expect(stretched.STATUS).toMatch(/^stretched x/);
    expect(plan.output()).toContain('warning: account "stretched"');

    const p = run(['run', '--config', file]);
    const url = await p.url();
    const started = Date.now();
    await waitFor('20 s of polling', () => Date.now() - started >= 20_000, 25_000, 250);
    const samples = await scrape(url);

    for (const [name, row] of [['fits', fits], ['stretched', stretched]] as const) {
      let perMinute = 0;
      for (const { endpoint, column, key } of POLLED) {
        const planned = seconds(row[column]);
        const log = env.sim.requests({ account: name, endpoint });
        expect(log.length).toBeGreaterThanOrEqual(3);
        // The simulator saw the interval the table printed (BullMQ fires on time, within 10 %).
        expect(Math.abs(meanGap(log) - planned) / planned).toBeLessThan(0.1);
        expect(sampleValue(samples, 'sendpulse_schedule_interval_seconds', { account: name, endpoint: key })).toBe(planned);
        perMinute += 60 / meanGap(log);
      }
      // REQ/MIN is the worst minute, REQ/DAY the day: both within 5 % of the rate the simulator saw.
      expect(Math.abs(perMinute - Number(row['REQ/MIN'])) / Number(row['REQ/MIN'])).toBeLessThan(0.05);
      expect(Math.abs(perMinute * 1440 - Number(row['REQ/DAY'])) / Number(row['REQ/DAY'])).toBeLessThan(0.05);
      expect(Number(row['REQ/MIN'])).toBeLessThanOrEqual(Number(row['BUDGET/MIN']));
      expect(env.sim.requests({ account: name, status: 429 })).toEqual([]);
    }
    // Stretched by the same factor everywhere, to whole seconds that fit 30 requests a minute.
    expect(POLLED.map(({ column }) => seconds(stretched[column]))).toEqual([6, 6, 6]);
    // run logs the same stretch plan printed, once.
    expect(p.output().match(/account \\"stretched\\": the configured intervals/g)).toHaveLength(1);
  });
});
