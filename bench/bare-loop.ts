import { Agent, request } from 'undici';
import { OAUTH_EVERY } from './bench-plan';

/**
 * The baseline: the same polling as the monitor (same accounts, endpoints, intervals, OAuth tokens,
 * same spread of first polls) as a bare undici loop, with no Redis, no BullMQ, no budget, no state.
 * `node bare-loop.js <simUrl> <accounts> <balanceS> <userInfoS> <teamS>`; prints `{"ready":true}` at
 * start and its poll count and lag as JSON on SIGTERM.
 */
async function main(): Promise<void> {
  const [url, n, balanceS, userInfoS, teamS] = process.argv.slice(2);
  const count = Number(n);
  const agent = new Agent({ connections: 64, keepAliveTimeout: 60_000 });
  const tokens = new Map<number, { token: string; renewAt: number }>();
  let polls = 0;
  let errors = 0;
  const lags: number[] = [];

  const tokenFor = async (i: number): Promise<string> => {
    const id = String(i).padStart(5, '0');
    if (i % OAUTH_EVERY !== 0) return `sim-key-${id}`;
    const held = tokens.get(i);
    if (held && Date.now() < held.renewAt) return held.token;
    const res = await request(`${url}/oauth/access_token`, {
      method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: `sim-client-${id}`, client_secret: `sim-secret-${id}` }),
    });
    const body = (await res.body.json()) as { access_token: string; expires_in: number };
    tokens.set(i, { token: body.access_token, renewAt: Date.now() + body.expires_in * 900 });
    return body.access_token;
  };

  const poll = async (i: number, path: string): Promise<void> => {
    try {
      const res = await request(`${url}${path}`, { dispatcher: agent, headers: { authorization: `Bearer ${await tokenFor(i)}` } });
      JSON.parse(await res.body.text());
      if (res.statusCode === 200) polls++;
      else errors++;
    } catch {
      errors++;
    }
  };

  // Fixed-rate timers, one per (account, endpoint), first runs spread as the monitor spreads them.
  const schedule = (i: number, path: string, everyMs: number) => {
    let due = Date.now() + Math.floor(Math.random() * Math.min(everyMs, count * 10));
    const tick = () => {
      lags.push(Date.now() - due);
      due += everyMs;
      setTimeout(tick, Math.max(0, due - Date.now()));
      void poll(i, path);
    };
    setTimeout(tick, due - Date.now());
  };
  for (let i = 1; i <= count; i++) {
    schedule(i, '/user/balance/detail', Number(balanceS) * 1000);
    schedule(i, '/user/info', Number(userInfoS) * 1000);
    schedule(i, '/user/invited-users-list', Number(teamS) * 1000);
  }
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  process.once('SIGTERM', () => {
    lags.sort((a, b) => a - b);
    const at = (q: number) => (lags.length ? lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] / 1000 : NaN);
    process.stdout.write(`${JSON.stringify({ polls, errors, lagP50: at(0.5), lagP99: at(0.99) })}\n`);
    process.exit(0);
  });
}

void main();
