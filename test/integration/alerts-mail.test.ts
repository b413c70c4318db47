import { randomUUID } from 'node:crypto';
import { balanceEndpoint } from '../../src/sendpulse/endpoints/balance';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { waitFor } from '../helpers/wait-for';
import { AlertHarness, TestSmtp, emailTo } from '../unit/alerts/alert-harness';
import { DAY, MIN, balanceReading, makeConfig } from '../unit/alerts/config-fixture';

let redis: TestRedis;
let smtp: TestSmtp;
let h: AlertHarness;

beforeAll(async () => {
  redis = await startRedis();
  smtp = await TestSmtp.start();
});
afterAll(async () => {
  await smtp.down();
  await redis.close();
});
afterEach(async () => {
  await h?.close();
  smtp.mails.length = 0;
  smtp.onHold = null;
});

function harness(alerts: Partial<import('../../src/config/types').AlertsConfig> = {}) {
  h = new AlertHarness(redis, makeConfig({ alerts: { email: emailTo(smtp), ...alerts } }), `t${randomUUID().slice(0, 8)}`);
  return h;
}

describe('alert e-mails (real SMTP, real Redis)', () => {
  it('sends one FIRING mail per crossing, one on escalation and exactly one RESOLVED on recovery', async () => {
    const a = harness();
    a.startWorker();
    await a.pollOk(balanceReading({ main: 50 }));
    a.clock += 5 * MIN;
    await a.pollOk(balanceReading({ main: 5 }));
    for (const v of [4, 6, 3.5, 5]) { a.clock += 5 * MIN; await a.pollOk(balanceReading({ main: v })); }
    await a.settle();
    expect(smtp.subjects()).toEqual(['[FIRING:warning] main: balance 5.00 USD is below 10 USD']);
    a.clock += 5 * MIN;
    await a.pollOk(balanceReading({ main: 1.5 }));
    a.clock += 5 * MIN;
    await a.pollOk(balanceReading({ main: 1.2 }));
    a.clock += 5 * MIN;
    await a.pollOk(balanceReading({ main: 50 }));
    a.clock += 5 * MIN;
    await a.pollOk(balanceReading({ main: 60 }));
    await a.settle();
    expect(smtp.subjects()).toEqual([
      '[FIRING:warning] main: balance 5.00 USD is below 10 USD',
      '[FIRING:critical] main: balance 1.50 USD is below 2 USD',
      '[RESOLVED] main: balance 50.00 USD',
    ]);
    const firing = smtp.mails[1];
    expect(firing.to && !Array.isArray(firing.to) ? firing.to.text : '').toBe('ops@example.test');
    expect(firing.text).toContain('Firing since: 2026-05-01T12:05:00.000Z');
    expect(firing.text).toContain('Recent readings:');
    expect(firing.html).toContain('<th align="left">Threshold</th><td>2 USD</td>');
  });

  it('sends one mail per transition when two replicas evaluate the same polls at once', async () => {
    const a = harness();
    const other = a.newEngine();
    a.startWorker();
    a.startWorker();
    const race = async (main: number) => {
      a.clock += 5 * MIN;
      await a.readings.saveSuccess('main', 'balance', balanceReading({ main }), a.clock);
      const acct = a.config.accounts[0];
      await Promise.all([a.engine.onPoll(acct, 'balance', 'ok'), other.onPoll(acct, 'balance', 'ok'), a.engine.evaluateAll(), other.evaluateAll()]);
    };
    for (const v of [50, 5, 5, 1, 1, 50]) await race(v);
    await a.settle();
    expect(smtp.subjects().sort()).toEqual([
      '[FIRING:critical] main: balance 1.00 USD is below 2 USD',
      '[FIRING:warning] main: balance 5.00 USD is below 10 USD',
      '[RESOLVED] main: balance 50.00 USD',
    ]);
  });

  it('delivers a mail once after the SMTP server was down for a while', async () => {
    const a = harness();
    a.startWorker();
    await smtp.down();
    await a.pollOk(balanceReading({ main: 1 }));
    await waitFor('a few failed delivery attempts', async () => {
      const [job] = await a.queue.getJobs(['delayed', 'waiting', 'active']);
      return job && job.attemptsMade >= 3;
    });
    expect(smtp.mails).toHaveLength(0);
    await smtp.up();
    await a.settle();
    expect(smtp.subjects()).toEqual(['[FIRING:critical] main: balance 1.00 USD is below 2 USD']);
  });

  it('drops a notification after maxAttempts and stops retrying it', async () => {
    const a = harness({ maxAttempts: 2 });
    a.startWorker();
    await smtp.down();
    try {
      await a.pollOk(balanceReading({ main: 1 }));
      await a.settle();
      const failed = await a.queue.getJobs(['failed']);
      expect(failed.map((j) => j.attemptsMade)).toEqual([2]);
    } finally {
      await smtp.up();
    }
    await a.engine.evaluateAll(); // the sweeper must not bring a dropped notification back
    await a.settle();
    expect(smtp.mails).toHaveLength(0);
  });

  it('sends reminders every repeatInterval while the alert fires, and none after it resolved', async () => {
    const a = harness({ repeatInterval: 10 * MIN });
    a.startWorker();
    await a.pollOk(balanceReading({ main: 5 }));
    for (const step of [5, 5, 1, 4, 6]) {
      a.clock += step * MIN;
      await a.pollOk(balanceReading({ main: 5 }));
      await a.engine.evaluateAll();
    }
    await a.settle();
    expect(smtp.subjects()).toEqual(Array(3).fill('[FIRING:warning] main: balance 5.00 USD is below 10 USD'));
    expect(smtp.mails[1].text).toContain('still firing (reminder)');
    for (let i = 0; i < 12; i++) { // an hour of good polls: more than repeatInterval after the resolution
      a.clock += 5 * MIN;
      await a.pollOk(balanceReading({ main: 50 }));
      await a.engine.evaluateAll();
    }
    await a.settle();
    expect(smtp.subjects()).toHaveLength(4);
    expect(smtp.subjects()[3]).toBe('[RESOLVED] main: balance 50.00 USD');
  });

  it('fires a tariff end date given in a non-UTC zone at the right moment', async () => {
    const a = harness({ rules: { tariffExpiry: { warning: 7 * DAY, critical: DAY }, credentials: true, stale: true } });
    a.config.accounts[0].alerts.rules = a.config.alerts.rules;
    a.startWorker();
    // Ends at midnight in Kyiv (UTC+3 in summer) = 21:00 UTC the day before; critical 1 day earlier.
    const reading = balanceEndpoint.parse({ email: { tariff_name: 'x', finished_time: '2026-05-10 00:00:00', emails_left: 10 } }, { timeZone: 'Europe/Kyiv' });
    expect(reading.values['email.finished_time']).toBe(Date.UTC(2026, 4, 9, 21) / 1000);
    a.clock = Date.UTC(2026, 4, 8, 20, 59);
    await a.pollOk(reading);
    await a.engine.evaluateAll();
    await a.settle();
    expect(smtp.subjects()).toEqual(['[FIRING:warning] main: email tariff ends in 1d, less than 7d']);
    a.clock = Date.UTC(2026, 4, 8, 21, 0, 1);
    await a.engine.evaluateAll();
    await a.settle();
    expect(smtp.subjects()[1]).toBe('[FIRING:critical] main: email tariff ends in 23h 59m, less than 1d');
  });

  it('does not flap when the value oscillates around a threshold', async () => {
    const a = harness();
    a.startWorker();
    for (const v of [10.2, 9.9, 10.1, 9.8, 10.3, 9.95, 10.2, 10.4]) {
      a.clock += 5 * MIN;
      await a.pollOk(balanceReading({ main: v }));
    }
    await a.settle();
    expect(smtp.subjects()).toEqual(['[FIRING:warning] main: balance 9.90 USD is below 10 USD']);
  });

  it('fires nothing on failed polls, but stale after staleAfterIntervals intervals', async () => {
    const a = harness();
    a.startWorker();
    await a.pollOk(balanceReading({ main: 50 }));
    for (let i = 0; i < 2; i++) {
      a.clock += 5 * MIN;
      await a.pollFailed();
      await a.engine.evaluateAll();
    }
    a.clock += 4 * MIN; // 14 minutes without a good poll: not yet 3 x 5 minutes
    await a.pollFailed();
    await a.settle();
    expect(smtp.mails).toHaveLength(0);
    a.clock += 1 * MIN;
    await a.pollFailed();
    await a.engine.evaluateAll();
    await a.settle();
    expect(smtp.subjects()).toEqual(['[FIRING:warning] main: no good poll of balance for 15m, more than 15m']);
    a.clock += 5 * MIN;
    await a.pollOk(balanceReading({ main: 50 }));
    await a.settle();
    expect(smtp.subjects()[1]).toBe('[RESOLVED] main: polls of balance succeed again');
  });
});
