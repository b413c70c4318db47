import { accountYaml, logRecords, okPolls, scrapeOk, simAccount, startFaultRig, up, type FaultRig } from '../helpers/fault-rig';
import { sampleValue } from '../helpers/metrics-text';
import { waitFor } from '../helpers/wait-for';

/** The first retry of a failed delivery comes 5 s later, the next 10 s after that (notification-queue.ts, not configurable). */
const RETRY_MS = 20_000;

const WARNING = '[FIRING:warning] main: balance 5.00 USD is below 10 USD';

describe('the SMTP server down for a while', () => {
  let rig: FaultRig;

  beforeEach(async () => {
    rig = await startFaultRig([simAccount('main')]);
  });
  afterEach(async () => {
    await rig.close();
  });

  /** Waits for `n` more good balance polls: time for a duplicate mail to show up if there were one. */
  const morePolls = async (n: number) => {
    const t = Date.now();
    await waitFor(`${n} more balance polls`, () => okPolls(rig.sim, 'main', t, 'balance') >= n, 20000);
  };

  it('fails the delivery meanwhile, and the mail arrives once, at the next retry after it is back', async () => {
    const p = rig.run(rig.config({ accounts: accountYaml('main') }));
    const url = await p.url();
    await waitFor('the account up', async () => up(await scrapeOk(url), 'main') === 1, 20000);
    await rig.smtp.down();
    const logFrom = p.output().length;
    rig.sim.updateAccount('main', { balanceDetail: { balance: { main: '5.00' } } });
    await waitFor('a failed delivery attempt', async () =>
      (sampleValue(await scrapeOk(url), 'sendpulse_alert_notifications_total', { channel: 'email', outcome: 'failed' }) ?? 0) >= 1, 15000);
    expect(logRecords(p.output(), logFrom).some((r) => /delivery failed; will retry/.test(String(r.msg)) && /ECONNREFUSED/.test(String(r.error)))).toBe(true);
    // The alert itself fires at once, whatever the mail does.
    expect(sampleValue(await scrapeOk(url), 'sendpulse_alert_firing', { account: 'main', alert: 'balance', severity: 'warning' })).toBe(1);

    await rig.smtp.up();
    const back = Date.now();
    await waitFor('the mail', () => rig.smtp.mails.length >= 1, RETRY_MS + 5000);
    expect(Date.now() - back).toBeLessThan(RETRY_MS);
    await morePolls(5);
    expect(rig.smtp.subjects()).toEqual([WARNING]);
    expect(sampleValue(await scrapeOk(url), 'sendpulse_alert_notifications_total', { channel: 'email', outcome: 'sent' })).toBe(1);
    expect(p.proc.exitCode).toBeNull();
  });
});

describe('an alert that fires during an SMTP outage and resolves just after it', () => {
  let rig: FaultRig;
  afterEach(async () => {
    await rig.close();
  });

  // Found by the soak (bench/soak): the RESOLVED notification, made while the FIRING one waited for
  // its retry, went out at once and reached the mailbox first.
  it('mails FIRING before RESOLVED: one alert\'s notifications reach a channel in the order they were made', async () => {
    rig = await startFaultRig([simAccount('main')]);
    const p = rig.run(rig.config({ accounts: accountYaml('main') }));
    const url = await p.url();
    await waitFor('the account up', async () => up(await scrapeOk(url), 'main') === 1, 20000);
    await rig.smtp.down();
    rig.sim.updateAccount('main', { balanceDetail: { balance: { main: '5.00' } } });
    await waitFor('a failed delivery attempt', async () =>
      (sampleValue(await scrapeOk(url), 'sendpulse_alert_notifications_total', { channel: 'email', outcome: 'failed' }) ?? 0) >= 1, 15000);
    // Back up, and the balance back too, while the FIRING mail waits for its retry (5 s after the failure).
    await rig.smtp.up();
    rig.sim.updateAccount('main', { balanceDetail: { balance: { main: '50.00' } } });
    await waitFor('two mails', () => rig.smtp.mails.length >= 2, RETRY_MS + 10_000);
    const t = Date.now();
    await waitFor('5 more balance polls', () => okPolls(rig.sim, 'main', t, 'balance') >= 5, 20000);
    const subjects = rig.smtp.subjects();
    expect(subjects).toHaveLength(2);
    expect(subjects[0]).toBe(WARNING);
    expect(subjects[1]).toMatch(/^\[RESOLVED\] main: balance 50\.00 USD/);
    expect(p.proc.exitCode).toBeNull();
  });
});
