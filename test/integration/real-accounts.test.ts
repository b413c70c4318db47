import { createServer, type Server } from 'node:http';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { freePort } from '../helpers/free-port';
import { sampleValue, scrape } from '../helpers/metrics-text';
import { killAll, spawnCli, startMonitorEnv, type CliProcess, type MonitorEnv } from '../helpers/monitor-env';
import { TestSmtp } from '../helpers/test-smtp';
import { waitFor } from '../helpers/wait-for';

/**
 * Issue 9's "done when", end to end: bodies shaped like real accounts (SMTP credits and traffic, an
 * empty push end date, an unknown flag value) through the simulator, `check`, a running worker and
 * its alerts by e-mail and webhook.
 */
describe('real account bodies', () => {
  let env: MonitorEnv;
  let smtp: TestSmtp;
  let hook: Server;
  let hookPort: number;
  const hooks: Record<string, unknown>[] = [];
  const procs: CliProcess[] = [];

  const odd = { balance: { main: '9.36', currency: 'USD' }, push: { end_date: '', auto_renew: 2 } };
  const smtpAccount = () => {
    const d = sampleBalanceDetail(Date.now(), '50.00');
    Object.assign(d.smtp as object, { email_qty: 100000, email_qty_left: 120, traffic_limit: '1000 Mb', traffic_limit_left: '12.50 Mb' });
    return d;
  };

  beforeAll(async () => {
    env = await startMonitorEnv([
      { id: 'odd', apiKey: 'key-odd', userInfo: sampleUserInfo(11, 'A B'), team: sampleTeam(), balanceDetail: odd },
      { id: 'mailer', apiKey: 'key-mailer', userInfo: sampleUserInfo(12, 'C D'), team: sampleTeam(), balanceDetail: smtpAccount() },
    ]);
    smtp = await TestSmtp.start();
    hookPort = await freePort();
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        hooks.push(JSON.parse(body));
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(hookPort, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    await killAll(procs);
    await smtp.down();
    hook.closeAllConnections();
    await new Promise<void>((r) => hook.close(() => r()));
    await env.close();
  });

  const ACCOUNTS = `
  - name: odd
    apiKey: key-odd
    intervals: { balance: 1s, userInfo: 1h, team: 1h }
    budget: { perMinute: 600, perDay: 200000, perSecond: 10 }
  - name: mailer
    apiKey: key-mailer
    intervals: { balance: 1s, userInfo: 1h, team: 1h }
    budget: { perMinute: 600, perDay: 200000, perSecond: 10 }`;
  const rules = () => `
alerts:
  staleAfter: 10
  rules:
    balance: { warning: 5, critical: 2 }
    smtpEmailsLeft: { warning: 1000, critical: 10 }
  email: { smtpUrl: "${smtp.url}", from: monitor@example.com, to: [ops@example.com] }
  webhook: { url: "http://127.0.0.1:${hookPort}/hook" }`;

  it('check shows every readable value, the SMTP credits, and names the odd field', async () => {
    const p = spawnCli(['check', '--config', env.writeConfig(ACCOUNTS, rules())]);
    const code = await p.exited;
    const out = p.output();
    expect(out).toMatch(/^odd +9\.36 USD +- +- +- +3 +push\.auto_renew: is not a flag \(true\/false, 1\/0\)$/m);
    expect(out).toMatch(/^mailer +50\.00 USD +9914 +120 of 100000 \(12\.5 Mb of 1000 Mb\) /m);
    expect(out).toContain('mailer: WARNING: SMTP e-mails left 120 is below 1000');
    expect(out).not.toMatch(/odd: (WARNING|CRITICAL)/);
    // A warning, not UNKNOWN: an unreadable field does not fail the poll.
    expect(code).toBe(1);
  });

  it('a running worker keeps every readable value, counts the odd field once, and alerts on the balance and SMTP credits once each', async () => {
    const a = spawnCli(['run', '--config', env.writeConfig(ACCOUNTS, rules())]);
    procs.push(a);
    const url = await a.url();
    const first = await waitFor('a good poll of both', async () => {
      const s = await scrape(url);
      return sampleValue(s, 'sendpulse_smtp_emails_left', { account: 'mailer' }) === 120 && sampleValue(s, 'sendpulse_balance', { account: 'odd', kind: 'main' }) === 9.36 && s;
    });
    expect(sampleValue(first, 'sendpulse_up', { account: 'odd' })).toBe(1);
    expect(sampleValue(first, 'sendpulse_response_unreadable_fields', { account: 'odd', endpoint: 'balance' })).toBe(1);
    expect(sampleValue(first, 'sendpulse_response_unreadable_fields', { account: 'mailer', endpoint: 'balance' })).toBe(0);
    expect(sampleValue(first, 'sendpulse_smtp_emails_limit', { account: 'mailer' })).toBe(100000);
    expect(sampleValue(first, 'sendpulse_smtp_traffic_left_bytes', { account: 'mailer' })).toBe(12.5 * 2 ** 20);
    expect(sampleValue(first, 'sendpulse_smtp_traffic_limit_bytes', { account: 'mailer' })).toBe(1000 * 2 ** 20);
    expect(sampleValue(first, 'sendpulse_response_field_errors_total', { endpoint: 'balance', field: 'push.auto_renew' })).toBeGreaterThanOrEqual(1);
    // The odd account's push tariff has no end date and an unreadable flag: neither makes up a sample.
    expect(first.filter((x) => x.labels.account === 'odd' && x.labels.service === 'push')).toEqual([]);

    await waitFor('the SMTP credits alert by mail and webhook', () => smtp.mails.length >= 1 && hooks.length >= 1, 20000);
    expect(smtp.subjects()).toEqual(['[FIRING:warning] mailer: SMTP e-mails left 120 is below 1000']);
    expect(hooks).toMatchObject([{ account: 'mailer', alert: 'smtpEmailsLeft', service: 'smtp', severity: 'warning', value: 120, threshold: 1000 }]);

    // The balance falls below its critical level while push.end_date is "" and push.auto_renew is 2.
    env.sim.updateAccount('odd', { balanceDetail: { balance: { main: '1.00' } } });
    await waitFor('the balance alert', () => smtp.subjects().some((s) => s.includes('odd: balance')), 20000);
    const polled = env.sim.requests({ endpoint: 'balance', account: 'odd' }).length;
    await waitFor('five more polls', () => env.sim.requests({ endpoint: 'balance', account: 'odd' }).length >= polled + 5, 15000);
    expect(smtp.subjects()).toEqual([
      '[FIRING:warning] mailer: SMTP e-mails left 120 is below 1000',
      '[FIRING:critical] odd: balance 1.00 USD is below 2 USD',
    ]);
    expect(hooks.map((h) => `${h.account}.${h.alert}.${h.severity}`)).toEqual(['mailer.smtpEmailsLeft.warning', 'odd.balance.critical']);
    const s = await scrape(url);
    expect(sampleValue(s, 'sendpulse_balance', { account: 'odd', kind: 'main' })).toBe(1);
    // One warning line when the field became unreadable, none per poll after it; the value is never logged.
    const lines = a.output().split('\n').filter((l) => l.includes('push.auto_renew') && l.includes('unreadable'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 40, account: 'odd', endpoint: 'balance', field: 'push.auto_renew' });

    // Fixed: one line saying it reads again.
    env.sim.setField('odd', 'balanceDetail.push.auto_renew', 1);
    await waitFor('the field to read again', async () => sampleValue(await scrape(url), 'sendpulse_response_unreadable_fields', { account: 'odd', endpoint: 'balance' }) === 0);
    await waitFor('the log line', () => a.output().includes('field push.auto_renew of /user/balance/detail reads again'));
  });
});
