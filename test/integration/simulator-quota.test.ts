import { request } from 'undici';
import { startSimulator } from '../../src/simulator/simulator';
import type { SimAccountDef, Simulator } from '../../src/simulator/types';

async function call(sim: Simulator, path: string, key?: string, body?: string) {
  const res = await request(`${sim.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, json: JSON.parse(text) };
}

const token = (sim: Simulator, id: string, secret: string) => call(sim, '/oauth/access_token', undefined,
  JSON.stringify({ grant_type: 'client_credentials', client_id: id, client_secret: secret }));

describe('simulator: quotas', () => {
  let sim: Simulator;
  // The clock starts on a minute boundary and moves only when a test moves it.
  let clock = Math.floor(Date.now() / 60_000) * 60_000 + 120_000;
  const account = (id: string, extra: Partial<SimAccountDef> = {}): SimAccountDef => ({ id, apiKey: `${id}-key`, clientId: `${id}-client`, clientSecret: `${id}-secret`, ...extra });

  beforeAll(async () => {
    sim = await startSimulator({ now: () => clock, accounts: [] });
  });
  afterAll(() => sim.close());

  it('answers error 2020202020 to the 11th request in one second, and again has room a second later', async () => {
    sim.addAccount(account('burst'));
    for (let i = 0; i < 10; i++) expect((await call(sim, '/user/info', 'burst-key')).status).toBe(200);
    const r = await call(sim, '/user/info', 'burst-key');
    expect(r.status).toBe(429);
    expect(r.json).toEqual({ error_code: 2020202020, message: 'More than 10 requests per second' });
    expect(r.headers['retry-after']).toBeUndefined();
    clock += 999;
    expect((await call(sim, '/user/info', 'burst-key')).status).toBe(429);
    clock += 1;
    expect((await call(sim, '/user/info', 'burst-key')).status).toBe(200);
  });

  it('counts the 10 per second in any sliding second, not per clock second', async () => {
    sim.addAccount(account('slide'));
    clock += 500;
    for (let i = 0; i < 5; i++) expect((await call(sim, '/user/info', 'slide-key')).status).toBe(200);
    clock += 600; // now in the next clock second, but within 1 s of the first five
    for (let i = 0; i < 5; i++) expect((await call(sim, '/user/info', 'slide-key')).status).toBe(200);
    expect((await call(sim, '/user/info', 'slide-key')).json.error_code).toBe(2020202020);
  });

  it('answers 429 Too many requests past the per-minute quota, without Retry-After unless configured', async () => {
    clock = Math.ceil(clock / 60_000) * 60_000;
    sim.addAccount(account('minute', { quota: { perMinute: 20 } }));
    for (let i = 0; i < 20; i++) {
      clock += 150;
      expect((await call(sim, '/user/balance/detail', 'minute-key')).status).toBe(200);
    }
    clock += 150;
    const r = await call(sim, '/user/balance/detail', 'minute-key');
    expect(r.status).toBe(429);
    expect(r.json).toEqual({ message: 'Too many requests', error_code: 429 });
    expect(r.headers['retry-after']).toBeUndefined();
    sim.updateAccount('minute', { quota: { retryAfterHeader: true } });
    const withHeader = await call(sim, '/user/balance/detail', 'minute-key');
    expect(withHeader.status).toBe(429);
    // 3.15 s into the minute: the window turns in 56.85 s.
    expect(withHeader.headers['retry-after']).toBe('57');
    clock = Math.ceil(clock / 60_000) * 60_000;
    expect((await call(sim, '/user/balance/detail', 'minute-key')).status).toBe(200);
  });

  it('counts token requests against the quota too', async () => {
    clock = Math.ceil(clock / 60_000) * 60_000;
    sim.addAccount(account('tok', { quota: { perMinute: 3 } }));
    const t = await token(sim, 'tok-client', 'tok-secret');
    expect(t.status).toBe(200);
    expect((await call(sim, '/user/info', t.json.access_token)).status).toBe(200);
    expect((await call(sim, '/user/info', 'tok-key')).status).toBe(200);
    const refused = await token(sim, 'tok-client', 'tok-secret');
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({ message: 'Too many requests', error_code: 429 });
    expect(sim.tokenCount('tok')).toBe(1);
  });

  it('does not let requests with bad credentials use an account quota', async () => {
    clock = Math.ceil(clock / 60_000) * 60_000;
    sim.addAccount(account('guarded', { quota: { perMinute: 1 } }));
    for (let i = 0; i < 3; i++) expect((await token(sim, 'guarded-client', 'wrong')).status).toBe(401);
    expect((await call(sim, '/user/info', 'guarded-key')).status).toBe(200);
  });

  it('answers 429 past the per-day quota until the next UTC day', async () => {
    clock = Math.ceil(clock / 86_400_000) * 86_400_000 - 120_000;
    sim.addAccount(account('daily', { quota: { perDay: 2, retryAfterHeader: true } }));
    expect((await call(sim, '/user/info', 'daily-key')).status).toBe(200);
    expect((await call(sim, '/user/info', 'daily-key')).status).toBe(200);
    clock += 60_000; // a new minute, the same day
    const r = await call(sim, '/user/info', 'daily-key');
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('60');
    clock += 60_000;
    expect((await call(sim, '/user/info', 'daily-key')).status).toBe(200);
  });

  it('gives each plan tier the reference quotas unless overridden', () => {
    const tiers = ['free', 'standard', 'enterprise'] as const;
    const quotas = tiers.map((plan) => sim.addAccount({ id: `plan-${plan}`, plan }).quota);
    expect(quotas.map((q) => [q.perMinute, q.perDay, q.perSecond])).toEqual([
      [1000, 500_000, 10], [2000, 1_000_000, 10], [3000, 3_000_000, 10]]);
    expect(sim.updateAccount('plan-free', { plan: 'enterprise' }).quota.perMinute).toBe(3000);
    expect(sim.updateAccount('plan-free', { quota: { perMinute: 20 } }).quota).toMatchObject({ perMinute: 20, perDay: 3_000_000 });
  });

  it('keeps quotas per account: one account past its quota does not slow another', async () => {
    clock = Math.ceil(clock / 60_000) * 60_000;
    sim.addAccount(account('full', { quota: { perMinute: 1 } }));
    sim.addAccount(account('free-to-go', { quota: { perMinute: 1 } }));
    expect((await call(sim, '/user/info', 'full-key')).status).toBe(200);
    expect((await call(sim, '/user/info', 'full-key')).status).toBe(429);
    expect((await call(sim, '/user/info', 'free-to-go-key')).status).toBe(200);
    expect(sim.requests({ account: 'full', status: 429 })).toHaveLength(1);
  });
});
