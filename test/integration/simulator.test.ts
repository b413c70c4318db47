import { request } from 'undici';
import { startSimulator } from '../../src/simulator/simulator';
import type { Simulator } from '../../src/simulator/types';

/** One HTTP call to the simulator; the body as text and, when it parses, as JSON. */
async function call(sim: Simulator, path: string, opts: { key?: string; method?: 'GET' | 'POST'; body?: string; type?: string } = {}) {
  const headers: Record<string, string> = {};
  if (opts.key !== undefined) headers.authorization = `Bearer ${opts.key}`;
  if (opts.type !== undefined) headers['content-type'] = opts.type;
  const res = await request(`${sim.url}${path}`, { method: opts.method ?? 'GET', headers, body: opts.body });
  const text = await res.body.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.statusCode, headers: res.headers, text, json };
}

function tokenRequest(sim: Simulator, clientId = 'sim-demo-client', clientSecret = 'sim-demo-secret', grantType = 'client_credentials') {
  return call(sim, '/oauth/access_token', {
    method: 'POST', type: 'application/json',
    body: JSON.stringify({ grant_type: grantType, client_id: clientId, client_secret: clientSecret }),
  });
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

describe('simulator: endpoints and authentication', () => {
  let sim: Simulator;
  // A clock that moves only when a test moves it, so lifetimes are checked to the millisecond.
  let clock = Date.now();
  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock });
    // These tests fire requests back to back; the 10/s rule has its own tests.
    sim.updateAccount('demo', { quota: { perSecond: 1000 } });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.clearRequests();
    sim.clearFaults();
  });

  it('listens on a free loopback port by default and starts with the demo account', () => {
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}`);
    expect(sim.port).toBeGreaterThan(0);
    expect(sim.accountIds()).toEqual(['demo']);
  });

  it('answers /user/info in the reference shape, phone as a string', async () => {
    const r = await call(sim, '/user/info', { key: 'sim-demo-key' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/application\/json/);
    expect(Object.keys(r.json).sort()).toEqual(['avatar', 'city', 'country', 'currency', 'email', 'first_name', 'id', 'lang',
      'last_name', 'locale', 'name', 'phone', 'phone_confirm', 'team_avatar', 'team_name', 'time_zone'].sort());
    expect(typeof r.json.id).toBe('number');
    expect(typeof r.json.phone).toBe('string');
    expect(typeof r.json.time_zone).toBe('string');
    expect(r.json.currency).toBe('USD');
  });

  it('answers /user/invited-users-list as a list with numeric phones and nullable group_id and avatar', async () => {
    const r = await call(sim, '/user/invited-users-list', { key: 'sim-demo-key' });
    expect(r.status).toBe(200);
    expect(Array.isArray(r.json)).toBe(true);
    expect(r.json).toHaveLength(3);
    for (const m of r.json) {
      expect(typeof m.phone).toBe('number');
      expect(typeof m.is_active).toBe('boolean');
      expect(['id', 'firstname', 'lastname', 'email', 'group_id', 'is_active', 'avatar', 'lang', 'locale', 'currency', 'country', 'phone']
        .every((k) => k in m)).toBe(true);
    }
    expect(r.json.some((m: any) => m.group_id === null)).toBe(true);
    expect(r.json.some((m: any) => m.avatar === null)).toBe(true);
  });

  it('answers /user/balance/detail with balances as strings and both date formats', async () => {
    const r = await call(sim, '/user/balance/detail', { key: 'sim-demo-key' });
    expect(r.status).toBe(200);
    expect(r.json.balance).toEqual({ main: '9.36', bonus: '5.00', currency: 'USD' });
    expect(r.json.email.finished_time).toMatch(DATE_TIME);
    expect(typeof r.json.email.emails_left).toBe('number');
    expect(typeof r.json.email.maximum_subscribers).toBe('number');
    expect(typeof r.json.email.current_subscribers).toBe('number');
    expect(r.json.smtp.end_date).toMatch(DATE_TIME);
    expect(r.json.push.end_date).toMatch(DATE);
    expect([0, 1]).toContain(r.json.smtp.auto_renew);
  });

  it('leaves out a balance section once the account service is inactive, and serves changed values', async () => {
    sim.updateAccount('demo', { balanceDetail: { push: undefined, balance: { main: '1.50' } } });
    const r = await call(sim, '/user/balance/detail', { key: 'sim-demo-key' });
    expect('push' in r.json).toBe(false);
    expect(r.json.balance).toEqual({ main: '1.50', bonus: '5.00', currency: 'USD' });
    expect(r.json.smtp.tariff_name).toBe('SMTP Free');
    sim.updateAccount('demo', { balanceDetail: { balance: { main: '9.36' }, push: { tariff_name: 'White Label', end_date: '2030-01-31', auto_renew: 1 } } });
  });

  it('answers 401 Unauthorized! to a missing or unknown key and logs the caller as unknown', async () => {
    for (const key of [undefined, 'not-a-key']) {
      const r = await call(sim, '/user/info', { key });
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ message: 'Unauthorized!', error_code: 401 });
    }
    expect(sim.requests().map((x) => [x.account, x.status])).toEqual([[null, 401], [null, 401]]);
  });

  it('issues a Bearer token for client credentials that lives tokenTtlSeconds and serves every endpoint', async () => {
    const t = await tokenRequest(sim);
    expect(t.status).toBe(200);
    expect(t.json.token_type).toBe('Bearer');
    expect(t.json.expires_in).toBe(3600);
    expect(typeof t.json.access_token).toBe('string');
    for (const path of ['/user/info', '/user/invited-users-list', '/user/balance/detail']) {
      expect((await call(sim, path, { key: t.json.access_token })).status).toBe(200);
    }
    const log = sim.requests();
    expect(log.map((x) => x.endpoint)).toEqual(['oauth_token', 'user_info', 'team', 'balance']);
    expect(new Set(log.map((x) => x.tokenId)).size).toBe(1);
    expect(log[0]?.tokenId).toMatch(/^t\d+$/);
    expect(JSON.stringify(log)).not.toContain(t.json.access_token);
  });

  it('accepts the token request as a url-encoded form too', async () => {
    const r = await call(sim, '/oauth/access_token', {
      method: 'POST', type: 'application/x-www-form-urlencoded',
      body: 'grant_type=client_credentials&client_id=sim-demo-client&client_secret=sim-demo-secret',
    });
    expect(r.status).toBe(200);
    expect(r.json.expires_in).toBe(3600);
  });

  it('answers 401 once a token is past its lifetime, and a new token works', async () => {
    sim.updateAccount('demo', { tokenTtlSeconds: 2 });
    const t = await tokenRequest(sim);
    expect(t.json.expires_in).toBe(2);
    expect((await call(sim, '/user/info', { key: t.json.access_token })).status).toBe(200);
    clock += 1999;
    expect((await call(sim, '/user/info', { key: t.json.access_token })).status).toBe(200);
    clock += 1;
    const expired = await call(sim, '/user/info', { key: t.json.access_token });
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual({ message: 'Unauthorized!', error_code: 401 });
    expect(sim.requests({ status: 401 })[0]?.account).toBe('demo');
    const again = await tokenRequest(sim);
    expect((await call(sim, '/user/info', { key: again.json.access_token })).status).toBe(200);
    sim.updateAccount('demo', { tokenTtlSeconds: 3600 });
  });

  it('counts live tokens and expires them on demand', async () => {
    sim.expireTokens();
    expect(sim.tokenCount('demo')).toBe(0);
    const a = await tokenRequest(sim);
    await tokenRequest(sim);
    expect(sim.tokenCount('demo')).toBe(2);
    expect(sim.expireTokens('demo')).toBe(2);
    expect(sim.tokenCount('demo')).toBe(0);
    expect((await call(sim, '/user/info', { key: a.json.access_token })).status).toBe(401);
  });

  it('rejects a wrong client secret or unknown client id with invalid_client', async () => {
    for (const [id, secret] of [['sim-demo-client', 'wrong'], ['nobody', 'sim-demo-secret']]) {
      const r = await tokenRequest(sim, id, secret);
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed', message: 'Client authentication failed' });
    }
    expect(sim.requests().map((x) => x.account)).toEqual(['demo', null]);
  });

  it('rejects another grant type with unsupported_grant_type and a missing client id with invalid_request', async () => {
    const r = await tokenRequest(sim, 'sim-demo-client', 'sim-demo-secret', 'password');
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('unsupported_grant_type');
    const missing = await call(sim, '/oauth/access_token', { method: 'POST', type: 'application/json', body: '{"grant_type":"client_credentials"}' });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toBe('invalid_request');
  });

  it('answers 405 to the wrong method and 404 to unknown paths', async () => {
    expect((await call(sim, '/oauth/access_token')).status).toBe(405);
    expect((await call(sim, '/user/info', { key: 'sim-demo-key', method: 'POST', body: '' })).status).toBe(405);
    const r = await call(sim, '/user/nothing', { key: 'sim-demo-key' });
    expect(r.status).toBe(404);
  });

  it('keeps two accounts apart: each key sees its own data and is logged under its own id', async () => {
    sim.addAccount({ id: 'second', apiKey: 'key-2', quota: { perSecond: 1000 }, balanceDetail: { balance: { main: '42.00', bonus: '0.00', currency: 'EUR' } } });
    const one = await call(sim, '/user/balance/detail', { key: 'sim-demo-key' });
    const two = await call(sim, '/user/balance/detail', { key: 'key-2' });
    expect(one.json.balance.currency).toBe('USD');
    expect(two.json).toEqual({ balance: { main: '42.00', bonus: '0.00', currency: 'EUR' } });
    expect(sim.requests().map((x) => x.account)).toEqual(['demo', 'second']);
    expect(() => sim.addAccount({ id: 'third', apiKey: 'key-2' })).toThrow(/apiKey already used/);
    expect(sim.removeAccount('second')).toBe(true);
    expect((await call(sim, '/user/info', { key: 'key-2' })).status).toBe(401);
  });

  it('serves 10,000 accounts, each found by its own key or client id', async () => {
    const { generateAccount } = await import('../../src/simulator/default-accounts');
    const big = await startSimulator({ accounts: Array.from({ length: 10_000 }, (_, i) => generateAccount(i + 1)) });
    try {
      expect(big.accountIds()).toHaveLength(10_000);
      const r = await call(big, '/user/balance/detail', { key: 'sim-key-10000' });
      expect(r.status).toBe(200);
      const t = await tokenRequest(big, 'sim-client-04321', 'sim-secret-04321');
      expect((await call(big, '/user/info', { key: t.json.access_token })).json.id).toBe(1_004_321);
      expect(big.requests().map((x) => x.account)).toEqual(['acct-10000', 'acct-04321', 'acct-04321']);
    } finally {
      await big.close();
    }
  });
});
