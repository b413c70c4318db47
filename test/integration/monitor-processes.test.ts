import { Redis } from 'ioredis';
import { PollSchedule } from '../../src/poller/poll-schedule';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { killAll, spawnCli, startMonitorEnv, type CliProcess, type MonitorEnv } from '../helpers/monitor-env';
import { sampleValue, scrape } from '../helpers/metrics-text';
import { waitFor } from '../helpers/wait-for';

const ACCOUNTS = `
  - name: main
    apiKey: key-main
    intervals: { balance: 2s, userInfo: 1h, team: 1h }
    budget: { perMinute: 600, perDay: 100000, perSecond: 10 }`;

describe('worker processes', () => {
  let env: MonitorEnv;
  const procs: CliProcess[] = [];
  const run = (file: string) => {
    const p = spawnCli(['run', '--config', file]);
    procs.push(p);
    return p;
  };

  beforeAll(async () => {
    env = await startMonitorEnv([{ id: 'main', apiKey: 'key-main', userInfo: sampleUserInfo(5, 'A B'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(Date.now()) }]);
  });
  beforeEach(() => env.sim.clearRequests());
  afterEach(async () => {
    await killAll(procs);
  });
  afterAll(() => env.close());

  it('two worker processes on one Redis do not double the polling, and both serve the same values', async () => {
    const file = env.writeConfig(ACCOUNTS);
    const a = run(file);
    const b = run(file);
    const [urlA, urlB] = await Promise.all([a.url(), b.url()]);
    await waitFor('polling to start', () => env.sim.requests({ endpoint: 'balance' }).length >= 1);
    const t0 = env.sim.requests({ endpoint: 'balance' })[0].time;
    await waitFor('12 s of polling', () => Date.now() - t0 >= 12_000, 20_000);
    const polls = env.sim.requests({ endpoint: 'balance', until: t0 + 12_000 }).length;
    // Every 2 s over 12 s: 6 or 7 polls; two independent schedules would make about 12.
    expect(polls).toBeGreaterThanOrEqual(5);
    expect(polls).toBeLessThanOrEqual(8);
    const [sa, sb] = await Promise.all([scrape(urlA), scrape(urlB)]);
    expect(sampleValue(sa, 'sendpulse_balance', { account: 'main', kind: 'main' })).toBe(9.36);
    expect(sampleValue(sb, 'sendpulse_balance', { account: 'main', kind: 'main' })).toBe(9.36);
  });

  it('comes back within 30 s after Redis lost all its data (FLUSHALL), without a restart', async () => {
    const p = run(env.writeConfig(ACCOUNTS));
    await p.url();
    await waitFor('first poll', () => env.sim.requests({ endpoint: 'balance' }).length >= 1);
    const r = new Redis(env.redis.url);
    await r.flushall();
    const flushedAt = Date.now();
    r.disconnect();
    env.sim.clearRequests();
    await waitFor('polling after FLUSHALL', () => env.sim.requests({ endpoint: 'balance' }).length >= 2, 30_000);
    expect(Date.now() - flushedAt).toBeLessThan(30_000);
    expect(p.proc.exitCode).toBeNull();
  });

  it('exits 0 within 10 s on SIGTERM, finishing the poll in flight', async () => {
    const p = run(env.writeConfig(ACCOUNTS, '', 'sigterm'));
    const url = await p.url();
    await waitFor('first poll', async () => sampleValue(await scrape(url), 'sendpulse_up', { account: 'main' }) === 1);
    // Hold the next poll in flight for 1.5 s, and stop the process while it waits.
    env.sim.setFault({ kind: 'slow', account: 'main', endpoint: 'balance', delayMs: 1500, count: 1 });
    const conn = new Redis(env.redis.url, { maxRetriesPerRequest: null });
    const leases = new PollSchedule(conn, 'sigterm').leasesKey;
    // The hold used up: the simulator sits on the request. (A lease alone may be a finished poll's,
    // ended only at the next claim.)
    await waitFor('a poll in flight', async () => env.sim.faults().length === 0 && (await conn.zscore(leases, 'main:balance')) !== null, 5000, 20);
    const stoppedAt = Date.now();
    p.proc.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    // The poll in flight was answered (not cut off) and its lease ended: nothing left for another replica to redo.
    expect(env.sim.requests({ endpoint: 'balance', since: stoppedAt - 2000 }).some((r) => r.status === 200)).toBe(true);
    expect(await conn.zrange(leases, 0, -1)).toEqual([]);
    expect(p.output()).toContain('shutting down');
    conn.disconnect();
    env.sim.clearFaults();
  });

  it('logs rejected credentials once per change, not once per poll', async () => {
    env.sim.addAccount({ id: 'oauth', clientId: 'client-oauth', clientSecret: 'right', userInfo: sampleUserInfo(6, 'C D'), team: [], balanceDetail: {} });
    const p = run(env.writeConfig(`${ACCOUNTS}
  - name: bad
    clientId: client-oauth
    clientSecret: wrong
    intervals: { balance: 1s, userInfo: 1s, team: 1s }
    budget: { perMinute: 600, perDay: 300000, perSecond: 10 }`));
    await p.url();
    await waitFor('the rejection to be logged', () => p.output().includes('credentials rejected'));
    const before = env.sim.requests({ account: 'main', endpoint: 'balance' }).length;
    await waitFor('three more polls of the good account', () => env.sim.requests({ account: 'main', endpoint: 'balance' }).length >= before + 3, 15_000);
    expect(p.output().match(/"msg":"credentials rejected/g)).toHaveLength(1);
    expect(p.output()).not.toContain('wrong');
  });

  it('validate names every broken key path and exits 1', async () => {
    const file = env.writeConfig(`
  - name: Main
    apiKey: k
    intervals: { balance: 5x }`);
    const p = spawnCli(['validate', '--config', file]);
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('accounts[0].intervals.balance: "5x" is not a duration');
    expect(p.output()).toContain('accounts[0].name');
  });

  it('validate and run refuse a schedule that does not fit a budget with onOverflow: refuse', async () => {
    const file = env.writeConfig(`
  - name: main
    apiKey: key-main
    intervals: { balance: 1s }
    budget: { perMinute: 10, onOverflow: refuse }`);
    for (const command of ['validate', 'run']) {
      const p = spawnCli([command, '--config', file]);
      expect(await p.exited).toBe(1);
      expect(p.output()).toContain('accounts[0].budget');
      expect(p.output()).not.toContain('serving metrics');
    }
  });
});
