import { startMonitor, type Monitor } from '../../src/worker';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { startMonitorEnv, type MonitorEnv } from '../helpers/monitor-env';
import { parseMetrics, sampleValue, scrape } from '../helpers/metrics-text';
import { waitFor } from '../helpers/wait-for';

const account = (id: string, ttl = 3600) => ({
  id, clientId: `client-${id}`, clientSecret: `secret-${id}`, tokenTtlSeconds: ttl,
  userInfo: sampleUserInfo(1, 'A B'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(Date.now()),
});

describe('authentication', () => {
  let env: MonitorEnv;
  let monitor: Monitor | undefined;

  beforeAll(async () => {
    env = await startMonitorEnv([account('one'), account('two'), account('short', 3)]);
  });
  beforeEach(() => env.sim.clearRequests());
  afterEach(async () => {
    await monitor?.close(1000);
    monitor = undefined;
    env.sim.clearFaults();
  });
  afterAll(() => env.close());

  it('serves many polls with one token per account, and two accounts never share a token', async () => {
    monitor = await startMonitor(env.config(`
  - name: one
    clientId: client-one
    clientSecret: secret-one
    intervals: { balance: 1s, userInfo: 1s, team: 1s }
    budget: { perMinute: 600, perDay: 100000, perSecond: 10 }
  - name: two
    clientId: client-two
    clientSecret: secret-two
    intervals: { balance: 1s, userInfo: 1s, team: 1s }
    budget: { perMinute: 600, perDay: 100000, perSecond: 10 }`));
    await waitFor('15 polls of each account', () =>
      ['one', 'two'].every((id) => env.sim.requests({ account: id }).filter((r) => r.endpoint !== 'oauth_token').length >= 15), 20000);
    const m = monitor;
    await monitor.close(1000);
    monitor = undefined;
    const counted = parseMetrics(await m.processMetrics());
    for (const id of ['one', 'two']) {
      const reqs = env.sim.requests({ account: id });
      expect(reqs.filter((r) => r.endpoint === 'oauth_token')).toHaveLength(1);
      expect(reqs.filter((r) => r.status === 401)).toHaveLength(0);
      // The simulator attributes a request to the account whose token it carries; the monitor counts it
      // under the account it polled for. They agree exactly only if no token served another account.
      const sent = counted.filter((x) => x.name === 'sendpulse_api_requests_total' && x.labels.account === id).reduce((n, x) => n + x.value, 0);
      expect(sent).toBe(reqs.length);
    }
  });

  it('renews a short-lived token before it expires, with no 401', async () => {
    monitor = await startMonitor(env.config(`
  - name: short
    clientId: client-short
    clientSecret: secret-short
    intervals: { balance: 1s, userInfo: 1h, team: 1h }
    budget: { perMinute: 600, perDay: 200000, perSecond: 10 }`));
    // A 3 s token renewed 10 % before expiry: several renewals within 8 s.
    await waitFor('three token renewals', () => env.sim.requests({ account: 'short', endpoint: 'oauth_token' }).length >= 3, 15000);
    const reqs = env.sim.requests({ account: 'short' });
    expect(reqs.filter((r) => r.status === 401)).toHaveLength(0);
    expect(reqs.filter((r) => r.endpoint === 'balance' && r.status === 200).length).toBeGreaterThanOrEqual(5);
  });

  it('drops a token SendPulse rejects, renews once and retries once, without a failed poll', async () => {
    monitor = await startMonitor(env.config(`
  - name: one
    clientId: client-one
    clientSecret: secret-one
    intervals: { balance: 1s }
    budget: { perMinute: 600, perDay: 100000, perSecond: 10 }`));
    await waitFor('first token', () => env.sim.requests({ account: 'one', endpoint: 'oauth_token' }).length === 1);
    env.sim.expireTokens('one');
    await waitFor('a second token after the 401', () => env.sim.requests({ account: 'one', endpoint: 'oauth_token' }).length === 2);
    await waitFor('a good poll with the new token', () => env.sim.requests({ account: 'one', endpoint: 'balance' }).at(-1)?.status === 200);
    const s = await scrape(monitor.url!);
    expect(sampleValue(s, 'sendpulse_poll_errors_total', { account: 'one', endpoint: 'balance', reason: 'auth' })).toBe(0);
  });

  it('marks an account with bad credentials as failing, backs it off, and keeps polling the others', async () => {
    monitor = await startMonitor(env.config(`
  - name: bad
    clientId: client-one
    clientSecret: wrong-secret
    intervals: { balance: 1s, userInfo: 1s, team: 1s }
  - name: good
    clientId: client-two
    clientSecret: secret-two
    intervals: { balance: 1s }
    budget: { perMinute: 600, perDay: 100000, perSecond: 10 }`));
    const s = await waitFor('bad marked failing', async () => {
      const x = await scrape(monitor!.url!);
      return sampleValue(x, 'sendpulse_credentials_valid', { account: 'bad' }) === 0 && x;
    });
    expect(sampleValue(s, 'sendpulse_up', { account: 'bad' })).toBe(0);
    const goodBefore = env.sim.requests({ account: 'two', endpoint: 'balance' }).length;
    await waitFor('good keeps polling', () => env.sim.requests({ account: 'two', endpoint: 'balance' }).length >= goodBefore + 4, 10000);
    // Back-off: the rejected token request is not repeated at the 1 s poll rate.
    const tokenTries = env.sim.requests({ endpoint: 'oauth_token' }).filter((r) => r.status === 401).length;
    expect(tokenTries).toBeLessThanOrEqual(3);
    expect(sampleValue(await scrape(monitor.url!), 'sendpulse_credentials_valid', { account: 'good' })).toBe(1);
  });
});
