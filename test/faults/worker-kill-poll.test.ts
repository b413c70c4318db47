import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { accountYaml, okPolls, scrapeOk, simAccount, startFaultRig, up, type FaultRig } from '../helpers/fault-rig';
import { waitFor } from '../helpers/wait-for';

/** A new worker polls again within this of its start (1 s intervals; the next scheduled jobs already exist). */
const RESUME_MS = 10_000;
/** A worker SIGKILLed while a poll is in flight: BullMQ's stalled-job recovery and the job schedulers take over. */
describe('a worker SIGKILLed in the middle of a poll', () => {
  let rig: FaultRig;
  let conn: Redis;

  beforeAll(async () => {
    rig = await startFaultRig([simAccount('main')]);
    conn = new Redis(rig.redis.url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    conn?.disconnect();
    await rig?.close();
  });

  it('lets a new worker poll on at once, loses no schedule, and is not held up by the stalled poll', async () => {
    const prefix = 'killpoll';
    const file = rig.config({ accounts: accountYaml('main'), prefix });
    const a = rig.run(file);
    await waitFor('the account up', async () => up(await scrapeOk(await a.url()), 'main') === 1, 20000);
    const queue = new Queue('poll', { connection: conn, prefix });
    try {
      // Hold the next balance poll on the wire, and kill the worker while it waits.
      rig.sim.setFault({ kind: 'slow', account: 'main', endpoint: 'balance', delayMs: 20_000, count: 1 });
      const stuck = await waitFor('a balance poll in flight', async () => (await queue.getActive()).find((j) => j.data.endpoint === 'balance'), 10000, 20);
      a.proc.kill('SIGKILL');
      await a.exited;
      const killedAt = Date.now();

      const b = rig.run(file);
      const url = await b.url();
      await waitFor('three good balance polls by the new worker', () => okPolls(rig.sim, 'main', killedAt, 'balance') >= 3, RESUME_MS + 5000);
      expect(Date.now() - killedAt).toBeLessThan(RESUME_MS);
      expect(up(await scrapeOk(url), 'main')).toBe(1);
      expect((await queue.getJobSchedulers()).map((s) => s.key).sort()).toEqual(['main:balance', 'main:team', 'main:user_info']);

      // The killed job stays active until BullMQ's stalled check gives it to the new worker (60-90 s with
      // the default 30 s lock and check period: too long to wait for here). It holds nothing up: its
      // scheduler had already made the next job, and the polls above ran past it.
      const active = await queue.getActive();
      expect(active.filter((j) => j.id !== stuck.id && j.data.endpoint === 'balance' && Date.now() - (j.processedOn ?? 0) > 5000)).toEqual([]);
      expect(rig.smtp.subjects()).toEqual([]);
      expect(b.proc.exitCode).toBeNull();
    } finally {
      await queue.close();
    }
  }, 60_000);
});
