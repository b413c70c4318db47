import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { runSimulate } from '../../src/cli/simulate';
import { loadAccountsFile } from '../../src/simulator/accounts-file';
import { startSimulator } from '../../src/simulator/simulator';
import type { Simulator } from '../../src/simulator/types';

async function http(url: string, method = 'GET', body?: unknown, key?: string) {
  const res = await request(url, {
    method: method as 'GET',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.statusCode, json };
}

describe('simulator: control API', () => {
  let sim: Simulator;
  let c: (path: string, method?: string, body?: unknown) => ReturnType<typeof http>;
  beforeAll(async () => {
    sim = await startSimulator();
    c = (path, method, body) => http(`${sim.url}/_control${path}`, method, body);
  });
  afterAll(() => sim.close());

  it('adds, shows, patches and removes accounts, never echoing credentials', async () => {
    const created = await c('/accounts', 'POST', { id: 'ctl', apiKey: 'ctl-key', clientId: 'ctl-client', clientSecret: 'ctl-secret', plan: 'standard' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: 'ctl', apiKey: '[redacted]', clientSecret: '[redacted]', clientId: 'ctl-client', plan: 'standard' });
    expect(created.json.quota).toEqual({ perMinute: 2000, perDay: 1_000_000, perSecond: 10, retryAfterHeader: false });
    expect((await c('/accounts')).json.accounts).toEqual(['demo', 'ctl']);
    expect((await http(`${sim.url}/user/info`, 'GET', undefined, 'ctl-key')).status).toBe(200);

    const patched = await c('/accounts/ctl', 'PATCH', { balanceDetail: { balance: { main: '0.42' } }, unset: ['balanceDetail.push', 'balanceDetail.email.emails_left'] });
    expect(patched.status).toBe(200);
    const detail = (await http(`${sim.url}/user/balance/detail`, 'GET', undefined, 'ctl-key')).json;
    expect(detail.balance.main).toBe('0.42');
    expect('push' in detail).toBe(false);
    expect('emails_left' in detail.email).toBe(false);
    expect(detail.email.tariff_name).toBe('Pay as you go 10 000');

    expect((await c('/accounts/ctl')).json.balanceDetail.balance.main).toBe('0.42');
    expect((await c('/accounts/ctl', 'DELETE')).status).toBe(204);
    expect((await c('/accounts/ctl')).status).toBe(404);
    expect((await http(`${sim.url}/user/info`, 'GET', undefined, 'ctl-key')).status).toBe(401);
  });

  it('sets any field path to any JSON value, replacing objects, for odd-field tests', async () => {
    await c('/accounts', 'POST', { id: 'odd', apiKey: 'odd-key' });
    const get = async () => (await http(`${sim.url}/user/balance/detail`, 'GET', undefined, 'odd-key')).json;
    // Shaped like a real account: SMTP credits and traffic, is_unique_type.
    expect((await get()).smtp).toMatchObject({ email_qty: 12000, email_qty_left: 11876, qty_per_hour: 500, traffic_limit: '1000 Mb', traffic_limit_left: '987.50 Mb' });
    expect((await get()).email.is_unique_type).toBe(false);
    const r = await c('/accounts/odd', 'PATCH', { set: { 'balanceDetail.push.end_date': '', 'balanceDetail.smtp': [1, 2], 'balanceDetail.email.is_unique_type': { deep: [true] } } });
    expect(r.status).toBe(200);
    const detail = await get();
    expect(detail.push.end_date).toBe('');
    expect(detail.push.tariff_name).toBe('White Label');
    expect(detail.smtp).toEqual([1, 2]);
    expect(detail.email.is_unique_type).toEqual({ deep: [true] });
    // An object replaces the object that was there instead of being merged into it.
    await c('/accounts/odd', 'PATCH', { set: { 'balanceDetail.push': { auto_renew: 2 } } });
    expect((await get()).push).toEqual({ auto_renew: 2 });
    expect((await c('/accounts/odd', 'PATCH', { set: ['x'] })).status).toBe(400);
  });

  it('adds several accounts at once and rejects invalid ones with every problem named', async () => {
    const many = await c('/accounts', 'POST', { accounts: [{ id: 'm1', apiKey: 'm1-key' }, { id: 'm2', apiKey: 'm2-key' }] });
    expect(many.status).toBe(201);
    expect(many.json.accounts.map((a: { id: string }) => a.id)).toEqual(['m1', 'm2']);
    const bad = await c('/accounts', 'POST', { id: '', plan: 'gold', clientId: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/account\.id: must be a non-empty string/);
    expect(bad.json.error).toMatch(/account\.plan: must be one of free, standard, enterprise/);
    expect(bad.json.error).toMatch(/clientId and clientSecret go together/);
    expect((await c('/accounts', 'POST', { id: 'm1' })).json.error).toMatch(/already exists/);
    expect((await c('/accounts/nobody', 'PATCH', {})).status).toBe(404);
    expect((await c('/accounts/m1', 'PATCH', { apiKye: 'typo' })).json.error).toMatch(/account\.apiKye: unknown key/);
  });

  it('sets, lists and clears faults', async () => {
    const f = await c('/faults', 'POST', { kind: 'http_5xx', status: 504, endpoint: 'user_info', count: 1 });
    expect(f.status).toBe(201);
    expect(f.json).toMatchObject({ kind: 'http_5xx', status: 504, hits: 0, id: expect.any(String) });
    expect((await c('/faults')).json.faults).toHaveLength(1);
    expect((await http(`${sim.url}/user/info`, 'GET', undefined, 'sim-demo-key')).status).toBe(504);
    expect((await c('/faults')).json.faults).toEqual([]);
    const g = await c('/faults', 'POST', { kind: 'html' });
    expect((await c(`/faults/${g.json.id}`, 'DELETE')).status).toBe(204);
    expect((await c(`/faults/${g.json.id}`, 'DELETE')).status).toBe(404);
    await c('/faults', 'POST', { kind: 'html' });
    expect((await c('/faults', 'DELETE')).status).toBe(204);
    expect((await c('/faults')).json.faults).toEqual([]);
    expect((await c('/faults', 'POST', { kind: 'nope' })).status).toBe(400);
  });

  it('shows the request log with filters and counters, and clears it', async () => {
    expect((await c('/requests', 'DELETE')).status).toBe(204);
    const t0 = Date.now();
    await http(`${sim.url}/user/info`, 'GET', undefined, 'sim-demo-key');
    await http(`${sim.url}/user/balance/detail`, 'GET', undefined, 'sim-demo-key');
    await http(`${sim.url}/user/info`, 'GET', undefined, 'wrong');
    const all = (await c('/requests')).json.requests;
    expect(all.map((r: { endpoint: string; status: number; account: string | null }) => [r.account, r.endpoint, r.status]))
      .toEqual([['demo', 'user_info', 200], ['demo', 'balance', 200], [null, 'user_info', 401]]);
    expect(all[0].time).toBeGreaterThanOrEqual(t0);
    expect((await c('/requests?account=demo&endpoint=balance')).json.requests).toHaveLength(1);
    expect((await c('/requests?account=null')).json.requests).toHaveLength(1);
    expect((await c(`/requests?status=401&since=${t0}`)).json.requests).toHaveLength(1);
    expect((await c('/requests?endpoint=bogus')).status).toBe(400);
    expect((await c('/requests/counts?account=demo')).json).toEqual({ total: 2, byEndpoint: { user_info: 1, balance: 1 }, byStatus: { 200: 2 } });
    expect((await c('/requests/counts')).json.total).toBe(3);
  });

  it('counts and expires tokens', async () => {
    const body = { grant_type: 'client_credentials', client_id: 'sim-demo-client', client_secret: 'sim-demo-secret' };
    sim.expireTokens();
    const t = await http(`${sim.url}/oauth/access_token`, 'POST', body);
    expect((await c('/tokens?account=demo')).json).toEqual({ account: 'demo', live: 1 });
    expect((await c('/tokens?account=demo', 'DELETE')).json).toEqual({ expired: 1 });
    expect((await c('/tokens?account=demo')).json.live).toBe(0);
    expect((await http(`${sim.url}/user/info`, 'GET', undefined, t.json.access_token)).status).toBe(401);
    expect((await c('/tokens?account=nobody')).status).toBe(404);
  });

  it('keeps control calls out of the request log', async () => {
    sim.clearRequests();
    await c('/accounts');
    await c('/faults');
    expect(sim.requests()).toEqual([]);
  });
});

describe('simulator: request log', () => {
  it('keeps only the latest requestLogSize requests while the counters keep every one', async () => {
    const sim = await startSimulator({ requestLogSize: 5 });
    try {
      sim.updateAccount('demo', { quota: { perSecond: 1000 } });
      for (let i = 0; i < 8; i++) await http(`${sim.url}/user/info`, 'GET', undefined, i === 7 ? 'bad' : 'sim-demo-key');
      const log = sim.requests();
      expect(log).toHaveLength(5);
      expect(log[4]).toMatchObject({ account: null, status: 401 });
      expect(log.map((r) => r.time)).toEqual([...log.map((r) => r.time)].sort((a, b) => a - b));
      expect(sim.requestCounts().total).toBe(8);
      expect(sim.requestCounts('demo')).toEqual({ total: 7, byEndpoint: { user_info: 7 }, byStatus: { 200: 7 } });
      sim.clearRequests();
      expect(sim.requests()).toEqual([]);
      expect(sim.requestCounts().total).toBe(0);
    } finally {
      await sim.close();
    }
  });
});

describe('simulator: accounts file and the simulate command', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'spm-sim-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads accounts from YAML and from JSON', () => {
    writeFileSync(join(dir, 'a.yaml'), 'accounts:\n  - id: y1\n    apiKey: y1-key\n    plan: enterprise\n    quota: { perMinute: 20 }\n');
    writeFileSync(join(dir, 'a.json'), JSON.stringify([{ id: 'j1', clientId: 'j1-c', clientSecret: 'j1-s', tokenTtlSeconds: 5 }]));
    expect(loadAccountsFile(join(dir, 'a.yaml'))).toEqual([{ id: 'y1', apiKey: 'y1-key', plan: 'enterprise', quota: { perMinute: 20 } }]);
    expect(loadAccountsFile(join(dir, 'a.json'))[0]).toMatchObject({ id: 'j1', tokenTtlSeconds: 5 });
  });

  it('names every problem of an accounts file with its position', () => {
    writeFileSync(join(dir, 'bad.yaml'), '- id: a\n  plan: gold\n- id: a\n  tokenTtlSeconds: -1\n');
    expect(() => loadAccountsFile(join(dir, 'bad.yaml'))).toThrow(expect.objectContaining({
      problems: [
        expect.stringContaining('accounts[0].plan: must be one of free, standard, enterprise'),
        expect.stringContaining('accounts[1].tokenTtlSeconds: must be a positive number'),
        expect.stringContaining('accounts[1].id: "a" appears twice'),
      ],
    }));
  });

  it('simulate prints the URL and demo credentials, serves them, and stops cleanly', async () => {
    const out: string[] = [];
    let stop: () => void = () => undefined;
    let listening: (url: string) => void = () => undefined;
    const url = new Promise<string>((r) => { listening = r; });
    const code = runSimulate(['--port', '0'], { out: (l) => out.push(l), err: (l) => out.push(l), stopped: new Promise<void>((r) => { stop = r; }), onListening: listening });
    const base = await url;
    expect(out.join('\n')).toContain(`SendPulse simulator listening on ${base}`);
    expect(out.join('\n')).toContain('API key sim-demo-key; client id sim-demo-client, client secret sim-demo-secret');
    expect((await http(`${base}/user/balance/detail`, 'GET', undefined, 'sim-demo-key')).json.balance.main).toBe('9.36');
    stop();
    expect(await code).toBe(0);
    await expect(http(`${base}/user/info`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('simulate serves the accounts of --accounts and generated ones', async () => {
    writeFileSync(join(dir, 'b.yaml'), '- id: fromfile\n  apiKey: file-key\n');
    let stop: () => void = () => undefined;
    let listening: (url: string) => void = () => undefined;
    const url = new Promise<string>((r) => { listening = r; });
    const out: string[] = [];
    const code = runSimulate(['--accounts', join(dir, 'b.yaml'), '--generate', '3'], { out: (l) => out.push(l), err: (l) => out.push(l), stopped: new Promise<void>((r) => { stop = r; }), onListening: listening });
    const base = await url;
    expect(out.join('\n')).toContain('accounts (4): fromfile, acct-00001, acct-00002, acct-00003');
    expect(out.join('\n')).not.toContain('sim-demo-key');
    expect((await http(`${base}/user/info`, 'GET', undefined, 'file-key')).status).toBe(200);
    expect((await http(`${base}/user/info`, 'GET', undefined, 'sim-key-00003')).status).toBe(200);
    expect((await http(`${base}/user/info`, 'GET', undefined, 'sim-demo-key')).status).toBe(401);
    stop();
    expect(await code).toBe(0);
  });

  it('simulate exits 2 on a bad option and 1 on a bad accounts file', async () => {
    const err: string[] = [];
    const io = { out: () => undefined, err: (l: string) => err.push(l), stopped: Promise.resolve() };
    expect(await runSimulate(['--port', 'abc'], io)).toBe(2);
    expect(err.join('\n')).toContain('--port: "abc" is not a port number');
    expect(await runSimulate(['--bogus'], io)).toBe(2);
    writeFileSync(join(dir, 'c.yaml'), 'nothing: here\n');
    expect(await runSimulate(['--accounts', join(dir, 'c.yaml')], io)).toBe(1);
    expect(err.join('\n')).toContain('expected a list of accounts');
  });
});
