import { Redis } from 'ioredis';
import { PollSchedule } from '../../src/poller/poll-schedule';
import { POLL_LEASE_MS } from '../../src/poller/poll-worker';
import { accountYaml, okPolls, scrapeOk, simAccount, startFaultRig, up, type FaultRig } from '../helpers/fault-rig';
import { waitFor } from '../helpers/wait-for';

/** A new worker polls again within this of its start (1 s intervals; the schedule is in Redis). */
const RESUME_MS = 10_000;
/**
 * A worker SIGKILLed while polls are in flight: the schedule lives in Redis, so a new worker polls on at
 * once; a poll the killed worker had claimed is taken over when its lease runs out (an hourly one
 * would otherwise wait an hour).
 */
describe('a worker SIGKILLed in the middle of a poll', () => {
  let rig: FaultRig;
  let conn: Redis;

  beforeAll(async () => {
    rig = await startFaultRig([simAccount('main'), simAccount('hourly')]);
    conn = new Redis(rig.redis.url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    conn?.disconnect();
    await rig?.close();
  });

  it('lets a new worker poll on at once, loses no schedule, and takes over the killed worker\'s polls when their leases run out', async () => {
    const prefix = 'killpoll';
    const schedule = new PollSchedule(conn, prefix);
    // The hourly account's first user_info answer is held on the wire, and so is a later balance poll of main.
    rig.sim.setFault({ kind: 'slow', account: 'hourly', endpoint: 'user_info', delayMs: 25_000, count: 1 });
    // A timeout longer than the holds: the polls are still in flight when the worker is killed.
    const file = rig.config({ accounts: accountYaml('main') + accountYaml('hourly', { every: '1h' }), prefix, timeout: '30s' });
    const a = rig.run(file);
    await waitFor('the account up', async () => up(await scrapeOk(await a.url()), 'main') === 1, 20000);
    rig.sim.setFault({ kind: 'slow', account: 'main', endpoint: 'balance', delayMs: 20_000, count: 1 });
    // Both holds used up: the simulator is sitting on both requests (20-25 s), each poll under its lease.
    // (Not "a lease older than 1 s": a 1 s poll due again is claimed anew while the held one runs, which
    // re-leases the member every second; that left a window of a few ms to see it in.)
    const leased = async (member: string) => (await conn.zscore(schedule.leasesKey, member)) !== null;
    await waitFor('both polls held', async () => rig.sim.faults().length === 0 && await leased('hourly:user_info') && await leased('main:balance'), 15000, 50);
    a.proc.kill('SIGKILL');
    await a.exited;
    const killedAt = Date.now();

    const b = rig.run(file);
    const url = await b.url();
    await waitFor('three good balance polls by the new worker', () => okPolls(rig.sim, 'main', killedAt, 'balance') >= 3, RESUME_MS + 5000);
    expect(Date.now() - killedAt).toBeLessThan(RESUME_MS);
    expect(up(await scrapeOk(url), 'main')).toBe(1);
    expect(await schedule.members()).toEqual(['hourly:balance', 'hourly:team', 'hourly:user_info', 'main:balance', 'main:team', 'main:user_info']);
    // The hourly poll is not due for an hour: only its expired lease brings it back, within the lease.
    await waitFor('the killed user_info poll taken over', () => okPolls(rig.sim, 'hourly', killedAt, 'user_info') >= 1, POLL_LEASE_MS + 5000, 100);
    expect(Date.now() - killedAt).toBeLessThan(POLL_LEASE_MS + 3000);
    expect(okPolls(rig.sim, 'hourly', killedAt, 'user_info')).toBe(1);
    // The hourly account's leases all ended (main's 1 s polls are leased anew every second, so say nothing).
    await waitFor('no hourly lease left behind', async () => (await conn.zrange(schedule.leasesKey, 0, -1)).every((m) => !m.startsWith('hourly:')), 5000, 50);
    expect(rig.smtp.subjects()).toEqual([]);
    expect(b.proc.exitCode).toBeNull();
  }, 80_000);
});
