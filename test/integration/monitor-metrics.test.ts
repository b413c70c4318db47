import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMonitor, type Monitor } from '../../src/worker';
import { sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { startMonitorEnv, type MonitorEnv } from '../helpers/monitor-env';
import { sampleValue, scrape } from '../helpers/metrics-text';
import { waitFor } from '../helpers/wait-for';

const kyivBalance = {
  balance: { main: '9.36', bonus: '5.00', currency: 'USD' },
  // Kyiv is UTC+3 in summer: 08:03:02 local is 05:03:02 UTC.
  email: { tariff_name: 'Pay as you go 10 000', finished_time: '2027-07-25 08:03:02', emails_left: 9914, maximum_subscribers: 10000, current_subscribers: 120 },
  smtp: { tariff_name: 'SMTP Free', end_date: '2027-11-21 15:05:39', auto_renew: 1 },
  // Date only: midnight in the account's zone (UTC+2 in winter).
  push: { tariff_name: 'White Label', end_date: '2027-01-30', auto_renew: 0 },
};

describe('metrics from background polls', () => {
  let env: MonitorEnv;
  let monitor: Monitor | undefined;

  beforeAll(async () => {
    env = await startMonitorEnv([
      { id: 'alpha', apiKey: 'key-alpha', userInfo: sampleUserInfo(111, 'Frodo Baggins'), team: sampleTeam(), balanceDetail: kyivBalance },
      { id: 'beta', clientId: 'client-beta', clientSecret: 'secret-beta', userInfo: { ...sampleUserInfo(222, 'Sam Gamgee'), currency: 'EUR', country: 'DE' },
        team: sampleTeam().slice(0, 1), balanceDetail: { balance: { main: '120.50', bonus: null, currency: 'EUR' } } },
    ]);
  });
  afterEach(async () => {
    await monitor?.close(1000);
    monitor = undefined;
    env.sim.clearFaults();
  });
  afterAll(() => env.close());

  it('serves every documented gauge with the right labels and values, and promtool accepts the output', async () => {
    monitor = await startMonitor(env.config(`
  - name: main
    apiKey: key-alpha
    timezone: Europe/Kyiv
  - name: second
    clientId: client-beta
    clientSecret: secret-beta`));
    const samples = await waitFor('both accounts polled', async () => {
      const s = await scrape(monitor!.url!);
      return sampleValue(s, 'sendpulse_up', { account: 'main' }) === 1 && sampleValue(s, 'sendpulse_up', { account: 'second' }) === 1 && s;
    });
    expect(sampleValue(samples, 'sendpulse_balance', { account: 'main', kind: 'main', currency: 'USD' })).toBe(9.36);
    expect(sampleValue(samples, 'sendpulse_balance', { account: 'main', kind: 'bonus', currency: 'USD' })).toBe(5);
    expect(sampleValue(samples, 'sendpulse_emails_left', { account: 'main' })).toBe(9914);
    expect(sampleValue(samples, 'sendpulse_email_subscribers', { account: 'main' })).toBe(120);
    expect(sampleValue(samples, 'sendpulse_email_subscribers_limit', { account: 'main' })).toBe(10000);
    expect(sampleValue(samples, 'sendpulse_tariff_expiry_timestamp_seconds', { account: 'main', service: 'email', tariff: 'Pay as you go 10 000' }))
      .toBe(Date.UTC(2027, 6, 25, 5, 3, 2) / 1000);
    expect(sampleValue(samples, 'sendpulse_tariff_expiry_timestamp_seconds', { account: 'main', service: 'push', tariff: 'White Label' }))
      .toBe(Date.UTC(2027, 0, 29, 22, 0, 0) / 1000);
    expect(sampleValue(samples, 'sendpulse_tariff_auto_renew', { account: 'main', service: 'smtp' })).toBe(1);
    expect(sampleValue(samples, 'sendpulse_tariff_auto_renew', { account: 'main', service: 'push' })).toBe(0);
    expect(sampleValue(samples, 'sendpulse_team_members', { account: 'main', state: 'active' })).toBe(2);
    expect(sampleValue(samples, 'sendpulse_team_members', { account: 'main', state: 'inactive' })).toBe(1);
    expect(sampleValue(samples, 'sendpulse_account_info', { account: 'main', id: '111', currency: 'USD', country: 'NZ', time_zone: '12' })).toBe(1);
    for (const endpoint of ['user_info', 'team', 'balance']) {
      const t = sampleValue(samples, 'sendpulse_poll_last_success_timestamp_seconds', { account: 'main', endpoint });
      expect(t).toBeGreaterThan(Date.now() / 1000 - 60);
    }
    expect(sampleValue(samples, 'sendpulse_api_requests_total', { account: 'second', endpoint: 'oauth_token', code: '200' })).toBe(1);
    // Two accounts never mix their data: the OAuth account shows its own values, and has no e-mail service.
    expect(sampleValue(samples, 'sendpulse_balance', { account: 'second', kind: 'main', currency: 'EUR' })).toBe(120.5);
    expect(sampleValue(samples, 'sendpulse_balance', { account: 'second', kind: 'bonus' })).toBeUndefined();
    expect(sampleValue(samples, 'sendpulse_emails_left', { account: 'second' })).toBeUndefined();
    expect(sampleValue(samples, 'sendpulse_team_members', { account: 'second', state: 'active' })).toBe(1);
    // Counters start at 0 for every account, endpoint and reason, so increase() sees the first error and panels show 0.
    const zeroErrors = samples.filter((x) => x.name === 'sendpulse_poll_errors_total' && x.value === 0);
    expect(zeroErrors.length).toBe(2 * 3 * 6);
    expect(sampleValue(samples, 'sendpulse_poll_errors_total', { account: 'second', endpoint: 'team', reason: 'auth' })).toBe(0);
    expect(sampleValue(samples, 'sendpulse_api_rate_limited_total', { account: 'second' })).toBe(0);
    // No personal data in any label.
    const text = await (await fetch(`${monitor.url}/metrics`)).text();
    for (const pii of ['frodo', 'Frodo', '@', 'harrington', '38068']) expect(text).not.toContain(pii);
    expect(text).toMatch(/# HELP sendpulse_balance .*background poll/);
    // The list the chart's rules and dashboard are checked against (test/chart) is exactly what is exported.
    const declared = [...text.matchAll(/^# TYPE (sendpulse_\w+) /gm)].map((m) => m[1]).sort();
    const listed = readFileSync(join(__dirname, '../fixtures/metrics/exported-metrics.txt'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean).sort();
    expect(declared).toEqual(listed);
    // promtool check metrics reads stdin and exits non-zero on problems.
    execFileSync('promtool', ['check', 'metrics'], { input: text });
  });

  it('keeps the last good value when a poll fails and shows the failure in sendpulse_up and the error counter', async () => {
    const config = env.config(`
  - name: main
    apiKey: key-alpha
    intervals: { balance: 1s }
    budget: { perMinute: 600, perDay: 100000, perSecond: 10 }`);
    monitor = await startMonitor(config);
    await waitFor('first poll', async () => sampleValue(await scrape(monitor!.url!), 'sendpulse_up', { account: 'main' }) === 1);
    env.sim.setFault({ kind: 'html', account: 'alpha', endpoint: 'balance' });
    const s = await waitFor('the failure to show', async () => {
      const x = await scrape(monitor!.url!);
      return sampleValue(x, 'sendpulse_up', { account: 'main' }) === 0 && x;
    });
    expect(sampleValue(s, 'sendpulse_poll_errors_total', { account: 'main', endpoint: 'balance', reason: 'invalid_response' })).toBeGreaterThanOrEqual(1);
    expect(sampleValue(s, 'sendpulse_balance', { account: 'main', kind: 'main' })).toBe(9.36);
    env.sim.clearFaults();
    await waitFor('recovery', async () => sampleValue(await scrape(monitor!.url!), 'sendpulse_up', { account: 'main' }) === 1);
  });

  it('serves /healthz, /readyz and the status page naming the accounts', async () => {
    monitor = await startMonitor(env.config(`
  - name: main
    apiKey: key-alpha`));
    expect((await fetch(`${monitor.url}/healthz`)).status).toBe(200);
    await monitor.started;
    const ready = await fetch(`${monitor.url}/readyz`);
    expect(ready.status).toBe(200);
    const index = await (await fetch(`${monitor.url}/`)).text();
    expect(index).toContain('/metrics');
    expect(index).toContain('<a href="/accounts/main">main</a>');
    expect(index).not.toContain('key-alpha');
  });
});
