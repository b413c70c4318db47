import { accountYaml, logRecords, okPolls, pollErrors, scrapeOk, simAccount, startFaultRig, up, type FaultRig } from '../helpers/fault-rig';
import { sampleValue } from '../helpers/metrics-text';
import { waitFor } from '../helpers/wait-for';

/**
 * A 429 storm: SendPulse refuses every request of one account with `429 Too many requests` and
 * `Retry-After: 2`. The account pauses (2 s, doubling while the 429s go on) instead of hammering the
 * API, the other account goes on, and polling comes back within the last pause after the storm.
 */
describe('a 429 storm on one account', () => {
  let rig: FaultRig;

  beforeAll(async () => {
    rig = await startFaultRig([simAccount('limited'), simAccount('other')]);
  });
  afterAll(() => rig?.close());

  it('pauses only that account, with widening pauses rather than a loop, and resumes after the last pause', async () => {
    const p = rig.run(rig.config({ accounts: accountYaml('limited') + accountYaml('other') }));
    const url = await p.url();
    await waitFor('both accounts up', async () => {
      const s = await scrapeOk(url);
      return up(s, 'limited') === 1 && up(s, 'other') === 1;
    }, 20000);
    const logFrom = p.output().length;
    const stormAt = Date.now();
    rig.sim.setFault({ kind: 'status_429', account: 'limited', retryAfterSeconds: 2 });

    await waitFor('10 s of the storm', () => Date.now() - stormAt >= 10_000, 15_000, 200);
    const s = await scrapeOk(url);
    const refused = rig.sim.requests({ account: 'limited', since: stormAt });
    // Unpaused, three endpoints each second would make 30 requests; pauses of 2, 4, 8 s leave at most
    // three bursts of up to three (the endpoints' jobs may start together).
    // Unpaused, three endpoints each second would make 30 requests. Paused (2, 4, 8 s) they come in
    // at most three bursts, one at each pause end, of at most one poll per endpoint and one held back.
    const bursts = burstSizes(refused.map((r) => r.time));
    expect(bursts.length).toBeGreaterThanOrEqual(2);
    expect(bursts.length).toBeLessThanOrEqual(3);
    expect(Math.max(...bursts)).toBeLessThanOrEqual(6);
    expect(refused.every((r) => r.status === 429)).toBe(true);
    expect(pollErrors(s, 'limited', 'rate_limited')).toBe(refused.length);
    expect(sampleValue(s, 'sendpulse_api_rate_limited_total', { account: 'limited' })).toBe(refused.length);
    expect(up(s, 'limited')).toBe(0);
    expect(sampleValue(s, 'sendpulse_balance', { account: 'limited', kind: 'main' })).toBe(50);
    // The other account was polled all along, at its normal rate.
    expect(okPolls(rig.sim, 'other', stormAt)).toBeGreaterThanOrEqual(10 * 3 - 4);
    expect(up(s, 'other')).toBe(1);

    const pauses = logRecords(p.output(), logFrom)
      .filter((r) => r.account === 'limited' && r.reason === 'rate_limited')
      .map((r) => Number(/pausing this account for (\d+) s/.exec(String(r.msg))?.[1]));
    expect(pauses.length).toBeGreaterThan(0);
    expect(pauses.every((x) => x >= 2)).toBe(true);
    const lastPauseMs = Math.max(...pauses) * 1000;

    rig.sim.clearFaults();
    const cleared = Date.now();
    await waitFor('the account up again', async () => up(await scrapeOk(url), 'limited') === 1, lastPauseMs + 10_000);
    // Within the pause in force when the storm ended, one interval, and a little slack.
    expect(Date.now() - cleared).toBeLessThan(lastPauseMs + 3000);
    // No backlog: the polls that came due during the pauses are not all sent now; the rate is the schedule's
    // (3 endpoints a second), not the budget's 10 a second.
    const settled = Date.now();
    await waitFor('4 s after the recovery', () => Date.now() - settled >= 4000, 6000, 100);
    expect(rig.sim.requests({ account: 'limited', since: settled, until: settled + 4000 }).length).toBeLessThanOrEqual(4 * 3 + 3);
    expect(rig.smtp.subjects()).toEqual([]);
    expect(p.proc.exitCode).toBeNull();
  });
});

/** Sizes of the groups of request times that lie within 500 ms of the group's first. */
function burstSizes(times: number[]): number[] {
  const out: number[] = [];
  let start = -Infinity;
  for (const t of [...times].sort((x, y) => x - y)) {
    if (t - start > 500) { out.push(0); start = t; }
    out[out.length - 1]++;
  }
  return out;
}
