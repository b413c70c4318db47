import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { startMonitor, type Monitor } from '../../src/worker';
import { parseMetrics, sampleValue } from '../helpers/metrics-text';
import { startMonitorEnv, type MonitorEnv } from '../helpers/monitor-env';
import { waitFor } from '../helpers/wait-for';

const TOKEN = 'scrape-token-7c1f9e';
const USER = 'prometheus';
const PASSWORD = 'basic-pass-51ad0b';
const PAGES = ['/metrics', '/', '/accounts/main', '/alerts', '/api/v1/accounts', '/api/v1/alerts', '/static/status.js', '/no-such-page'];

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('protected /metrics and pages (server.auth)', () => {
  let env: MonitorEnv;
  let monitor: Monitor | undefined;

  const start = async (authYaml: string) => {
    const file = join(env.dir, `auth-${Date.now()}.yaml`);
    writeFileSync(file, `sendpulse: { baseUrl: "${env.sim.url}", timeout: 2s }
redis: { url: "${env.redis.url}", prefix: auth }
server:
  host: 127.0.0.1
  port: 0
  auth:
${authYaml}
accounts:
  - name: main
    apiKey: key-main
    intervals: { balance: 2s, userInfo: 1h, team: 1h }
    # One prefix for the file: the monitors started one after another share the budget, so together
    # they stay under the simulator's 10 requests per second.
    budget: { perMinute: 600, perDay: 100000, perSecond: 5 }
`);
    monitor = await startMonitor(loadConfig({ file, env: {} }));
    await monitor.started;
    return monitor.url as string;
  };
  const get = (url: string, authorization?: string) => fetch(url, { headers: authorization ? { authorization } : {} });

  beforeAll(async () => {
    env = await startMonitorEnv([{ id: 'main', apiKey: 'key-main', userInfo: sampleUserInfo(5, 'A B'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(Date.now()) }]);
    writeFileSync(join(env.dir, 'token'), `${TOKEN}\n`);
    writeFileSync(join(env.dir, 'password'), `${PASSWORD}\n`);
  });
  afterEach(async () => {
    await monitor?.close(1000);
    monitor = undefined;
  });
  afterAll(() => env.close());

  describe('with a bearer token file', () => {
    let url: string;
    beforeEach(async () => {
      url = await start(`    bearerTokenFile: ${join(env.dir, 'token')}`);
    });

    it('answers 401 with a Bearer challenge on every page but the probes when no token is sent', async () => {
      for (const page of PAGES) {
        const res = await get(url + page);
        expect([page, res.status]).toEqual([page, 401]);
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="sendpulse-monitor"');
        expect(await res.text()).toBe('unauthorized\n');
      }
    });

    it('keeps the probes /healthz and /readyz open for the kubelet, telling nothing about the accounts', async () => {
      const res = await get(`${url}/healthz`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('ok\n');
      const ready = await get(`${url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.text()).toBe('ready\n');
    });

    it('refuses a wrong token, a token one character short, and basic auth in its place', async () => {
      for (const header of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer ', basic(USER, TOKEN), TOKEN]) {
        expect((await get(`${url}/metrics`, header)).status).toBe(401);
      }
    });

    it('serves the account metrics, the index page and /readyz with the right token', async () => {
      const auth = `Bearer ${TOKEN}`;
      await waitFor('the first poll in /metrics', async () =>
        sampleValue(parseMetrics(await (await get(`${url}/metrics`, auth)).text()), 'sendpulse_up', { account: 'main' }) === 1);
      const index = await get(`${url}/`, auth);
      expect(index.status).toBe(200);
      expect(await index.text()).toContain('<a href="/accounts/main">main</a>');
      // The scheme name is case-insensitive (RFC 9110 §11.1).
      expect((await get(`${url}/readyz`, `bearer ${TOKEN}`)).status).toBe(200);
    });
  });

  describe('with basic auth', () => {
    let url: string;
    beforeEach(async () => {
      url = await start(`    basicAuth: { username: ${USER}, passwordFile: ${join(env.dir, 'password')} }`);
    });

    it('serves /metrics to the right user and password', async () => {
      const res = await get(`${url}/metrics`, basic(USER, PASSWORD));
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('sendpulse_api_requests_total');
    });

    it('answers 401 with a Basic challenge to a wrong password, a wrong user or none', async () => {
      for (const header of [basic(USER, 'wrong'), basic('admin', PASSWORD), basic(USER, ''), `Bearer ${PASSWORD}`, undefined]) {
        const res = await get(`${url}/metrics`, header);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Basic realm="sendpulse-monitor", charset="UTF-8"');
      }
      expect((await get(`${url}/healthz`)).status).toBe(200);
    });

    it('accepts a password that contains a colon', async () => {
      await monitor?.close(1000);
      writeFileSync(join(env.dir, 'colon'), 'a:b:c');
      url = await start(`    basicAuth: { username: ${USER}, passwordFile: ${join(env.dir, 'colon')} }`);
      expect((await get(`${url}/`, basic(USER, 'a:b:c'))).status).toBe(200);
      expect((await get(`${url}/`, basic(USER, 'a:b'))).status).toBe(401);
    });
  });
});
