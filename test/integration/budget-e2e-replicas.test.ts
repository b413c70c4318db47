import { Redis } from 'ioredis';
import { ENDPOINTS } from '../../src/config/types';
import { PollSchedule } from '../../src/poller/poll-schedule';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import type { RequestRecord } from '../../src/simulator/types';
import { isReady, killAll, spawnCli, startMonitorEnv, type CliProcess, type MonitorEnv } from '../helpers/monitor-env';
import { sampleValue, scrape } from '../helpers/metrics-text';
import { waitFor } from '../helpers/wait-for';

/**
 * Issue 3 through the real worker: compiled `run` processes against the simulator over HTTP, with the
 * simulator's request log as the witness of what SendPulse would have seen.
 *
 * Load beyond the plan: the planner stretches a schedule that does not fit, so the schedule alone
 * stays near the budget. Two things a real deployment meets push past it here: OAuth tokens that live
 * 5 s (each poll burst needs a new token, which the plan does not foresee) and a storm of events that
 * each ask for every endpoint to be polled now (as credential changes and recoveries do). Only the
 * budget can then keep the account inside its limits.
 */

const PER_MINUTE = 12;

/** An OAuth account with 1 s intervals (stretched by the planner) and a tight budget. */
function accountsYaml(name: string, perSecond: number): string {
  return `
  - name: ${name}
    clientId: ${name}-client
    clientSecret: ${name}-secret
    intervals: { balance: 1s, userInfo: 1s, team: 1s }
    budget: { perMinute: ${PER_MINUTE}, perDay: 1000, perSecond: ${perSecond} }`;
}

/** The most records in any span [t, t + spanMs) that starts at a record (the worst window starts at one). */
function maxInSpan(records: RequestRecord[], spanMs: number): number {
  const times = records.map((r) => r.time).sort((a, b) => a - b);
  let worst = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (j < times.length && times[j] < times[i] + spanMs) j++;
    worst = Math.max(worst, j - i);
  }
  return worst;
}

describe('request budget across worker processes (issue 3)', () => {
  let env: MonitorEnv;
  const procs: CliProcess[] = [];
  const conns: Redis[] = [];
  const run = (file: string) => {
    const p = spawnCli(['run', '--config', file]);
    procs.push(p);
    return p;
  };
  /**
   * Asks every 100 ms, each time as a new event, for every endpoint of `account` to be polled now, until
   * stopped: far more polls than the budget has room for. Returns the stop.
   */
  const storm = (prefix: string, account: string) => {
    const conn = new Redis(env.redis.url, { maxRetriesPerRequest: null });
    conns.push(conn);
    const schedule = new PollSchedule(conn, prefix);
    let n = 0;
    const timer = setInterval(() => { schedule.pollNow(account, ENDPOINTS, `storm-${n++}`).catch(() => undefined); }, 100);
    return () => clearInterval(timer);
  };

  beforeAll(async () => {
    // One simulated account per test: the simulator's quota counts per clock minute and a test
    // shorter than a minute would otherwise inherit the last one's.
    env = await startMonitorEnv(['shop', 'again'].map((id, i) => ({
      id,
      clientId: `${id}-client`,
      clientSecret: `${id}-secret`,
      tokenTtlSeconds: 5,
      // The simulator refuses what SendPulse would: past the budget in a clock minute or in any second.
      quota: { perMinute: PER_MINUTE, perSecond: 2 },
      userInfo: sampleUserInfo(7 + i, 'S H'),
      team: sampleTeam(),
      balanceDetail: sampleBalanceDetail(Date.now()),
    })));
  });
  beforeEach(() => env.sim.clearRequests());
  afterEach(async () => {
    await killAll(procs);
  });
  afterAll(async () => {
    conns.forEach((c) => c.disconnect());
    await env.close();
  });

  it('two worker processes together stay inside the minute and second budget in the simulator\'s log, and report what they used', async () => {
    const prefix = 'replicas';
    const file = env.writeConfig(accountsYaml('shop', 2), '', prefix);
    const a = run(file);
    const b = run(file);
    const [urlA, urlB] = await Promise.all([a.url(), b.url()]);
    // Both workers running before the storm: a late one would find the minute already used up.
    await waitFor('both processes ready', async () => (await Promise.all([urlA, urlB].map(isReady))).every(Boolean));
    const stop = storm(prefix, 'shop');

    // Far more work than budget: the minute fills at 2 per second, then nothing until it slides.
    await waitFor('the minute budget to fill', () => env.sim.requests({ account: 'shop' }).length >= PER_MINUTE, 15_000);
    const filledAt = Date.now();
    await waitFor('6 s of held budget', () => Date.now() - filledAt >= 6000, 8000);
    stop();

    const log = env.sim.requests({ account: 'shop' });
    expect(log.length).toBeGreaterThanOrEqual(PER_MINUTE);
    // The whole run is shorter than a minute: every 60 s span holds at most the budget.
    expect(log[log.length - 1].time - log[0].time).toBeLessThan(60_000);
    expect(maxInSpan(log, 60_000)).toBeLessThanOrEqual(PER_MINUTE);
    expect(log).toHaveLength(PER_MINUTE);
    expect(maxInSpan(log, 1000)).toBeLessThanOrEqual(2);
    // Token requests count: they are in the log and inside the same budget.
    expect(log.some((r) => r.endpoint === 'oauth_token')).toBe(true);
    expect(log.filter((r) => r.status === 429)).toEqual([]);

    const [samples, samplesB] = await Promise.all([scrape(urlA), scrape(urlB)]);
    // Both processes sent requests: the budget is shared by the replicas, not one per replica.
    const sent = (s: typeof samples) => s.filter((x) => x.name === 'sendpulse_api_requests_total' && x.labels.account === 'shop').reduce((n, x) => n + x.value, 0);
    expect(sent(samples)).toBeGreaterThan(0);
    expect(sent(samplesB)).toBeGreaterThan(0);
    expect(sent(samples) + sent(samplesB)).toBe(PER_MINUTE);
    const used = sampleValue(samples, 'sendpulse_api_budget_used', { account: 'shop', window: 'minute' });
    const counted = env.sim.requests({ account: 'shop', since: Date.now() - 60_000 }).length;
    expect(used).toBeGreaterThanOrEqual(counted - 1);
    expect(used).toBeLessThanOrEqual(counted + 1);
    expect(sampleValue(samples, 'sendpulse_api_budget_limit', { account: 'shop', window: 'minute' })).toBe(PER_MINUTE);
    // A budget wait is not a failed poll.
    const pollErrors = samples.filter((s) => s.name === 'sendpulse_poll_errors_total' && s.labels.account === 'shop');
    expect(pollErrors.reduce((n, s) => n + s.value, 0)).toBe(0);
  });

  it('a restarted process gets no fresh budget: it only uses what is left of the minute', async () => {
    const prefix = 'restart';
    // One per second, so the first process is stopped with the minute only partly used.
    const file = env.writeConfig(accountsYaml('again', 1), '', prefix);
    const first = run(file);
    await first.url();
    const stop = storm(prefix, 'again');
    await waitFor('most of the minute budget used', () => env.sim.requests({ account: 'again' }).length >= 6, 15_000);
    first.proc.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const before = env.sim.requests({ account: 'again' });
    expect(before.length).toBeLessThan(PER_MINUTE);

    const second = run(file);
    await second.url();
    await waitFor('the rest of the minute budget used', () => env.sim.requests({ account: 'again' }).length >= PER_MINUTE, 20_000);
    const filledAt = Date.now();
    // Nothing to wait for but time: a fresh budget would show up as requests past PER_MINUTE here.
    await waitFor('5 s of held budget', () => Date.now() - filledAt >= 5000, 8000);

    const log = env.sim.requests({ account: 'again' });
    expect(log[log.length - 1].time - log[0].time).toBeLessThan(60_000);
    // A fresh budget would have let the second process make PER_MINUTE requests of its own.
    expect(log.length - before.length).toBeLessThanOrEqual(PER_MINUTE - before.length);
    expect(log.length - before.length).toBeGreaterThan(0);
    expect(maxInSpan(log, 60_000)).toBeLessThanOrEqual(PER_MINUTE);
    expect(log.filter((r) => r.status === 429)).toEqual([]);
    stop();
  });
});
