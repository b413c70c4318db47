import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { sampleValue, scrape } from '../helpers/metrics-text';
import { killAll, spawnCli, startMonitorEnv, type CliProcess, type MonitorEnv } from '../helpers/monitor-env';
import { waitFor } from '../helpers/wait-for';
import { TestSmtp } from '../helpers/test-smtp';

/** The whole product path: simulator → two worker processes → alert state in Redis → one mail per change. */
describe('alerts through the running monitor', () => {
  let env: MonitorEnv;
  let smtp: TestSmtp;
  const procs: CliProcess[] = [];

  beforeAll(async () => {
    env = await startMonitorEnv([{ id: 'main', apiKey: 'key-main', userInfo: sampleUserInfo(9, 'A B'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(Date.now(), '50.00') }]);
    smtp = await TestSmtp.start();
  });
  afterAll(async () => {
    await killAll(procs);
    await smtp.down();
    await env.close();
  });

  const setBalance = (main: string) => env.sim.updateAccount('main', { balanceDetail: { balance: { main } } });
  const mailCount = () => smtp.mails.length;

  it('two replicas send exactly one mail per transition: warning, critical, resolved; bad data fires nothing', async () => {
    const file = env.writeConfig(`
  - name: main
    apiKey: key-main
    intervals: { balance: 1s, userInfo: 1h, team: 1h }
    budget: { perMinute: 600, perDay: 200000, perSecond: 10 }`, `
alerts:
  # stale (3 intervals by default) is the fault suite's business; here 2 failed polls of a loaded machine must not reach it.
  staleAfter: 10
  rules:
    balance: { warning: 10, critical: 2 }
  email: { smtpUrl: "${smtp.url}", from: monitor@example.com, to: [ops@example.com] }`);
    const a = spawnCli(['run', '--config', file]);
    const b = spawnCli(['run', '--config', file]);
    procs.push(a, b);
    const url = await a.url();
    await b.url();
    await waitFor('a first good poll', async () => sampleValue(await scrape(url), 'sendpulse_balance', { account: 'main', kind: 'main' }) === 50);

    setBalance('5.00');
    await waitFor('the warning mail', () => mailCount() === 1, 20000);
    // Many more polls below the threshold (1 s apart, two replicas): no more mails.
    const polled = env.sim.requests({ endpoint: 'balance' }).length;
    await waitFor('five more polls', () => env.sim.requests({ endpoint: 'balance' }).length >= polled + 5, 15000);
    expect(smtp.subjects()).toEqual(['[FIRING:warning] main: balance 5.00 USD is below 10 USD']);
    expect(sampleValue(await scrape(url), 'sendpulse_alert_firing', { account: 'main', alert: 'balance', severity: 'warning' })).toBe(1);

    // Broken answers keep the last good value and fire or resolve nothing.
    const failedBefore = env.sim.requests({ endpoint: 'balance' }).length;
    env.sim.setFault({ kind: 'html', account: 'main', endpoint: 'balance', count: 2 });
    await waitFor('two failed polls and a good one', () => env.sim.requests({ endpoint: 'balance' }).length >= failedBefore + 3, 15000);
    expect(env.sim.requests({ endpoint: 'balance', since: 0 }).slice(failedBefore).filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(mailCount()).toBe(1);

    setBalance('1.50');
    await waitFor('the critical mail', () => smtp.subjects().some((x) => x.startsWith('[FIRING:critical]')), 20000);
    setBalance('50.00');
    await waitFor('the resolved mail', () => smtp.subjects().some((x) => x.startsWith('[RESOLVED]')), 20000);
    const settled = env.sim.requests({ endpoint: 'balance' }).length;
    await waitFor('five more polls', () => env.sim.requests({ endpoint: 'balance' }).length >= settled + 5, 15000);
    expect(smtp.subjects()).toEqual([
      '[FIRING:warning] main: balance 5.00 USD is below 10 USD',
      '[FIRING:critical] main: balance 1.50 USD is below 2 USD',
      '[RESOLVED] main: balance 50.00 USD',
    ]);
    const s = await scrape(url);
    expect(sampleValue(s, 'sendpulse_alert_firing', { account: 'main', alert: 'balance' })).toBeUndefined();
  });
});
