import { Queue } from 'bullmq';
import { STALLED_CHECK_MS, STALLED_LOCK_MS } from '../../src/stalled-jobs';
import { Redis } from 'ioredis';
import { accountYaml, okPolls, scrapeOk, simAccount, startFaultRig, up, type FaultRig } from '../helpers/fault-rig';
import { sampleValue } from '../helpers/metrics-text';
import { waitFor } from '../helpers/wait-for';

/**
 * A killed worker's notification job is taken over once its lock ran out and the new worker's stalled
 * check saw it: the lock plus up to three checks (src/stalled-jobs.ts), with some slack for a busy machine.
 */
const TAKEOVER_MS = STALLED_LOCK_MS + 3 * STALLED_CHECK_MS + 10_000;

const WARNING = '[FIRING:warning] main: balance 5.00 USD is below 10 USD';

describe('a worker SIGKILLed in the middle of a notification', () => {
  let rig: FaultRig;
  let conn: Redis;

  beforeEach(async () => {
    rig = await startFaultRig([simAccount('main')]);
    conn = new Redis(rig.redis.url, { maxRetriesPerRequest: null });
  });
  afterEach(async () => {
    conn.disconnect();
    await rig.close();
  });

  /** Waits for `n` more good balance polls: time for a duplicate mail to show up if there were one. */
  const morePolls = async (n: number) => {
    const t = Date.now();
    await waitFor(`${n} more balance polls`, () => okPolls(rig.sim, 'main', t, 'balance') >= n, 20000);
  };

  it('while the SMTP server holds its message: another worker sends it, exactly once', async () => {
    const prefix = 'killmail';
    const file = rig.config({ accounts: accountYaml('main'), prefix });
    const a = rig.run(file);
    await waitFor('the account up', async () => up(await scrapeOk(await a.url()), 'main') === 1, 20000);
    const held = new Promise<void>((r) => { rig.smtp.onHold = r; });
    rig.sim.updateAccount('main', { balanceDetail: { balance: { main: '5.00' } } });
    await held; // the worker sent DATA and waits for an answer that never comes
    a.proc.kill('SIGKILL');
    await a.exited;
    const killedAt = Date.now();
    expect(rig.smtp.mails).toHaveLength(0);

    const b = rig.run(file);
    await b.url();
    await waitFor('the mail from the new worker', () => rig.smtp.mails.length >= 1, TAKEOVER_MS + 5000, 250);
    expect(Date.now() - killedAt).toBeLessThan(TAKEOVER_MS);
    await morePolls(5);
    // Exactly once here because the SMTP server never accepted the held copy. Had it accepted the
    // message just before the kill, the new worker would send it again: at-least-once, as any
    // SMTP client that dies between DATA and the server's answer.
    expect(rig.smtp.subjects()).toEqual([WARNING]);
    const queue = new Queue('notifications', { connection: conn, prefix });
    try {
      expect(await queue.getJobCounts('waiting', 'active', 'delayed', 'failed')).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    } finally {
      await queue.close();
    }
    expect(b.proc.exitCode).toBeNull();
  }, 150_000);
});
