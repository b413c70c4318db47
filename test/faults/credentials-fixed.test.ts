import { Redis } from 'ioredis';
import { logRecords, scrapeOk, simAccount, startFaultRig, up, type FaultRig } from '../helpers/fault-rig';
import { sampleValue } from '../helpers/metrics-text';
import { isReady } from '../helpers/monitor-env';
import { stopWith } from '../helpers/process-log';
import { waitFor } from '../helpers/wait-for';

/** "Within seconds": the schedules alone would take up to the hourly user_info/team poll, or the 1-30 min back-off. */
const RECOVER_MS = 10_000;

/** The account at the default-like intervals: nothing but an immediate poll refreshes user_info and team within the test. */
const account = (key: string, balance = '5m') => `
  - name: main
    apiKey: ${key}
    intervals: { balance: ${balance}, userInfo: 1h, team: 1h }
    budget: { perMinute: 900, perDay: 500000, perSecond: 10 }`;

const credentialsValid = async (url: string) => sampleValue(await scrapeOk(url), 'sendpulse_credentials_valid', { account: 'main' });

/**
 * Issue 10, case 7: a wrong API key fixed in the config and the worker restarted, or SendPulse accepting
 * the credentials again when the back-off ends: every endpoint is polled at once, so
 * sendpulse_credentials_valid and sendpulse_up recover within seconds, not at the next scheduled run.
 */
describe('credentials fixed', () => {
  let rig: FaultRig;
  let conn: Redis | undefined;
  beforeEach(async () => {
    rig = await startFaultRig([simAccount('main')]);
  });
  afterEach(async () => {
    conn?.disconnect();
    conn = undefined;
    await rig.close();
  });

  it('polls every endpoint at once after a restart with the fixed key, although a back-off was running', async () => {
    const wrong = rig.run(rig.config({ accounts: account('key-wrong'), prefix: 'cred1' }));
    const wrongUrl = await wrong.url();
    await waitFor('the key rejected', async () => (await credentialsValid(wrongUrl)) === 0, 15000);
    expect(up(await scrapeOk(wrongUrl), 'main')).toBe(0);
    expect((await stopWith(wrong, 'SIGTERM')).code).toBe(0);

    const restarted = Date.now();
    const fixed = rig.run(rig.config({ accounts: account('key-main'), prefix: 'cred1' }));
    const url = await fixed.url();
    await waitFor('credentials valid and the account up', async () => {
      const s = await scrapeOk(url);
      return sampleValue(s, 'sendpulse_credentials_valid', { account: 'main' }) === 1 && up(s, 'main') === 1;
    }, RECOVER_MS + 5000, 200);
    expect(Date.now() - restarted).toBeLessThan(RECOVER_MS);
    for (const endpoint of ['user_info', 'team', 'balance'] as const) {
      expect(rig.sim.requests({ account: 'main', endpoint, since: restarted, status: 200 }).length).toBeGreaterThanOrEqual(1);
    }
    await waitFor('the log line', () => /credentials changed since the last start/.test(fixed.output()));
    expect(logRecords(fixed.output()).filter((r) => /^credentials changed since the last start/.test(String(r.msg))).map((r) => r.account)).toEqual(['main']);

    // A restart with the same credentials is not a change: no extra polls.
    expect((await stopWith(fixed, 'SIGTERM')).code).toBe(0);
    const again = rig.run(rig.config({ accounts: account('key-main'), prefix: 'cred1' }));
    const againUrl = await again.url();
    // Ready only once start-up is done, the credential check included.
    await waitFor('the restarted process ready', () => isReady(againUrl));
    expect(again.output()).not.toContain('credentials changed');
  });

  it('polls the other endpoints at once when the back-off ends with a success', async () => {
    const p = rig.run(rig.config({ accounts: account('key-main', '2s'), prefix: 'cred2', staleAfter: 120 }));
    const url = await p.url();
    await waitFor('the account up', async () => up(await scrapeOk(url), 'main') === 1, 15000);
    rig.sim.setFault({ kind: 'unauthorized', account: 'main' });
    await waitFor('the key rejected', async () => (await credentialsValid(url)) === 0, 15000);
    // The next scheduled user_info/team polls are an hour away; the first one fails now too.
    rig.sim.clearFaults();
    conn = new Redis(rig.redis.url);
    const logFrom = p.output().length;
    // Fast-forward the 1 min pause: it is a Redis key with a TTL, shared by every replica. Again at
    // each look: a poll that was still waiting for its 401 when the fault cleared starts a new pause.
    const until = 'cred2:authfail:{main}:until';
    expect(await conn.pexpire(until, 1)).toBe(1);
    const resumed = Date.now();
    // up is 1 again with the first good balance poll (user_info and team kept their readings); the
    // immediate polls of those two are made after that save, so they are waited for as well.
    const answered = (endpoint: 'user_info' | 'team') => rig.sim.requests({ account: 'main', endpoint, since: resumed, status: 200 }).length >= 1;
    await waitFor('credentials valid, the account up, user_info and team polled', async () => {
      await conn!.pexpire(until, 1);
      const s = await scrapeOk(url);
      return sampleValue(s, 'sendpulse_credentials_valid', { account: 'main' }) === 1 && up(s, 'main') === 1 && answered('user_info') && answered('team');
    }, RECOVER_MS + 5000, 200);
    expect(Date.now() - resumed).toBeLessThan(RECOVER_MS);
    await waitFor('the log line', () => logRecords(p.output(), logFrom).some((r) => /^credentials accepted again/.test(String(r.msg))));
    expect(logRecords(p.output(), logFrom).filter((r) => /^credentials accepted again/.test(String(r.msg)))).toHaveLength(1);
  });
});
