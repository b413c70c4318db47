import { request } from 'undici';
import { startSimulator } from '../../src/simulator/simulator';
import type { Simulator } from '../../src/simulator/types';

async function call(sim: Simulator, path: string, key = 'sim-demo-key', body?: string) {
  const started = Date.now();
  const res = await request(`${sim.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body,
  });
  const headersAfterMs = Date.now() - started;
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, headersAfterMs, totalMs: Date.now() - started };
}

const tokenBody = JSON.stringify({ grant_type: 'client_credentials', client_id: 'sim-demo-client', client_secret: 'sim-demo-secret' });

describe('simulator: faults', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
    sim.updateAccount('demo', { quota: { perSecond: 1000 } });
    sim.addAccount({ id: 'other', apiKey: 'other-key', quota: { perSecond: 1000 } });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.clearFaults();
    sim.clearRequests();
  });

  it('http_5xx answers an nginx HTML error page with the chosen status', async () => {
    sim.setFault({ kind: 'http_5xx', status: 503 });
    const r = await call(sim, '/user/balance/detail');
    expect(r.status).toBe(503);
    expect(r.headers['content-type']).toBe('text/html');
    expect(r.text).toContain('<title>503 Service Unavailable</title>');
    expect(r.text).toContain('<center>nginx</center>');
    sim.clearFaults();
    sim.setFault({ kind: 'http_5xx' });
    expect((await call(sim, '/user/info')).status).toBe(502);
  });

  it('html answers 200 with an HTML page where JSON was expected', async () => {
    sim.setFault({ kind: 'html', endpoint: 'user_info' });
    const r = await call(sim, '/user/info');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/html');
    expect(r.text).toMatch(/^<!DOCTYPE html>/);
    expect(() => JSON.parse(r.text)).toThrow();
  });

  it('truncated answers 200 with JSON cut in the middle and a matching Content-Length', async () => {
    const whole = (await call(sim, '/user/balance/detail')).text;
    sim.setFault({ kind: 'truncated', endpoint: 'balance' });
    const r = await call(sim, '/user/balance/detail');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.text));
    expect(whole.startsWith(r.text)).toBe(true);
    expect(r.text.length).toBeLessThan(whole.length);
    expect(() => JSON.parse(r.text)).toThrow();
  });

  it('wrong_shape turns the balance section into a list, or the balance into "n/a"', async () => {
    sim.setFault({ kind: 'wrong_shape', endpoint: 'balance', count: 1 });
    const list = JSON.parse((await call(sim, '/user/balance/detail')).text);
    expect(list.balance).toEqual(['9.36', '5.00', 'USD']);
    sim.setFault({ kind: 'wrong_shape', endpoint: 'balance', shape: 'balance_na', count: 1 });
    const na = JSON.parse((await call(sim, '/user/balance/detail')).text);
    expect(na.balance.main).toBe('n/a');
    sim.setFault({ kind: 'wrong_shape', endpoint: 'team', count: 1 });
    expect(Array.isArray(JSON.parse((await call(sim, '/user/invited-users-list')).text))).toBe(false);
    sim.setFault({ kind: 'wrong_shape', endpoint: 'user_info', body: { id: 'seven' }, count: 1 });
    expect(JSON.parse((await call(sim, '/user/info')).text)).toEqual({ id: 'seven' });
  });

  it('wrong_shape and truncated spoil only answers that would have been 200', async () => {
    sim.setFault({ kind: 'truncated', count: 1 });
    const r = await call(sim, '/user/info', 'no-such-key');
    expect(r.status).toBe(401);
    expect(JSON.parse(r.text)).toEqual({ message: 'Unauthorized!', error_code: 401 });
    expect(sim.faults()).toHaveLength(1);
  });

  it('slow delays the headers by delayMs and then answers normally', async () => {
    sim.setFault({ kind: 'slow', delayMs: 300, endpoint: 'balance' });
    const r = await call(sim, '/user/balance/detail');
    expect(r.status).toBe(200);
    expect(r.headersAfterMs).toBeGreaterThanOrEqual(290);
    expect(JSON.parse(r.text).balance.main).toBe('9.36');
    expect((await call(sim, '/user/info')).headersAfterMs).toBeLessThan(290);
  });

  it('slow at the body stage sends the headers at once and the rest of the body later', async () => {
    sim.setFault({ kind: 'slow', delayMs: 300, stage: 'body' });
    const r = await call(sim, '/user/balance/detail');
    expect(r.headersAfterMs).toBeLessThan(250);
    expect(r.totalMs).toBeGreaterThanOrEqual(290);
    expect(JSON.parse(r.text).balance.main).toBe('9.36');
  });

  it('a slow answer runs into a client timeout as a real slow server would', async () => {
    sim.setFault({ kind: 'slow', delayMs: 2000 });
    await expect(request(`${sim.url}/user/info`, { headers: { authorization: 'Bearer sim-demo-key' }, headersTimeout: 200 }))
      .rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
  });

  it('reset destroys the connection without an answer and logs status 0', async () => {
    sim.setFault({ kind: 'reset', count: 1 });
    await expect(call(sim, '/user/info')).rejects.toMatchObject({ code: expect.stringMatching(/UND_ERR_SOCKET|ECONNRESET/) });
    expect(sim.requests()).toEqual([expect.objectContaining({ account: 'demo', endpoint: 'user_info', status: 0 })]);
    expect((await call(sim, '/user/info')).status).toBe(200);
  });

  it('status_429 answers Too many requests with the Retry-After it was given', async () => {
    sim.setFault({ kind: 'status_429', retryAfterSeconds: 7 });
    const r = await call(sim, '/user/info');
    expect(r.status).toBe(429);
    expect(JSON.parse(r.text)).toEqual({ message: 'Too many requests', error_code: 429 });
    expect(r.headers['retry-after']).toBe('7');
    sim.clearFaults();
    sim.setFault({ kind: 'status_429' });
    expect((await call(sim, '/user/info')).headers['retry-after']).toBeUndefined();
  });

  it('unauthorized answers 401 to a valid key, and invalid_client to valid client credentials', async () => {
    sim.setFault({ kind: 'unauthorized' });
    const r = await call(sim, '/user/info');
    expect(r.status).toBe(401);
    expect(JSON.parse(r.text)).toEqual({ message: 'Unauthorized!', error_code: 401 });
    const t = await call(sim, '/oauth/access_token', undefined, tokenBody);
    expect(t.status).toBe(401);
    expect(JSON.parse(t.text).error).toBe('invalid_client');
  });

  it('hits only the account and endpoint it names', async () => {
    sim.setFault({ kind: 'http_5xx', account: 'demo', endpoint: 'balance' });
    expect((await call(sim, '/user/balance/detail')).status).toBe(502);
    expect((await call(sim, '/user/info')).status).toBe(200);
    expect((await call(sim, '/user/balance/detail', 'other-key')).status).toBe(200);
  });

  it('clears itself after count hits, and clearFaults removes one fault or all', async () => {
    sim.setFault({ kind: 'http_5xx', count: 2 });
    expect((await call(sim, '/user/info')).status).toBe(502);
    expect((await call(sim, '/user/info')).status).toBe(502);
    expect((await call(sim, '/user/info')).status).toBe(200);
    expect(sim.faults()).toEqual([]);
    const a = sim.setFault({ kind: 'html' });
    sim.setFault({ kind: 'status_429', account: 'other' });
    sim.clearFaults(a.id);
    expect(sim.faults().map((f) => f.kind)).toEqual(['status_429']);
    sim.clearFaults();
    expect(sim.faults()).toEqual([]);
  });

  it('refuses a fault it cannot apply, naming the problem', () => {
    expect(() => sim.setFault({ kind: 'meltdown' as never })).toThrow(/fault.kind/);
    expect(() => sim.setFault({ kind: 'http_5xx', status: 404 })).toThrow(/fault.status/);
    expect(() => sim.setFault({ kind: 'slow', endpoint: 'nowhere' as never })).toThrow(/fault.endpoint/);
  });

  it('faults in front of the API use no quota', async () => {
    sim.addAccount({ id: 'tight', apiKey: 'tight-key', quota: { perMinute: 1 } });
    sim.setFault({ kind: 'http_5xx', account: 'tight', count: 3 });
    for (let i = 0; i < 3; i++) expect((await call(sim, '/user/info', 'tight-key')).status).toBe(502);
    expect((await call(sim, '/user/info', 'tight-key')).status).toBe(200);
  });

  it('closes promptly while a slow answer is pending', async () => {
    const s = await startSimulator();
    s.setFault({ kind: 'slow', delayMs: 60_000, stage: 'body' });
    // The headers arrive at once, so the answer is known to be pending when close() is called.
    const res = await request(`${s.url}/user/info`, { headers: { authorization: 'Bearer sim-demo-key' } });
    expect(res.statusCode).toBe(200);
    const t0 = Date.now();
    await s.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    await expect(res.body.text()).rejects.toThrow();
  });
});
