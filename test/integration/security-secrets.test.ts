import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { startSimulator } from '../../src/simulator/simulator';
import type { Simulator } from '../../src/simulator/types';
import { freePort } from '../../src/state/private-redis';
import { parseMetrics, sampleValue } from '../helpers/metrics-text';
import { killAll, spawnCli, type CliProcess } from '../helpers/monitor-env';
import { startRedisProcess, type RedisProcess } from '../helpers/redis-cluster';
import { waitFor } from '../helpers/wait-for';

// Recognisable secrets: any of these in an output is a leak.
const API_KEY = 'SECRETapikey-7f3a91';
const CLIENT_SECRET = 'SECRETclientsecret-b24c08';
const SMTP_PASSWORD = 'SECRETsmtppass-5e6d1f';
const REDIS_PASSWORD = 'SECRETredispass-09ac3b';
const METRICS_TOKEN = 'SECRETbearer-d18e77';
// Wrong values a user might type: they must not leak either.
const WRONG_CLIENT_SECRET = 'SECRETwrongclient-3c3c3c';
const WRONG_API_KEY = 'SECRETwrongkey-4d4d4d';
const WRONG_REDIS_PASSWORD = 'SECRETwrongredis-6f6f6f';
const SECRETS = [API_KEY, CLIENT_SECRET, SMTP_PASSWORD, REDIS_PASSWORD, METRICS_TOKEN, WRONG_CLIENT_SECRET, WRONG_API_KEY, WRONG_REDIS_PASSWORD];

/** Fails naming the place and the secret when `text` contains any secret (or its URL-encoded form). */
function expectNoSecret(where: string, text: string): void {
  const found = SECRETS.filter((s) => text.includes(s) || text.includes(encodeURIComponent(s)));
  expect({ where, found }).toEqual({ where, found: [] });
}

describe('no secret in logs, pages, metrics, error messages or Redis', () => {
  let dir: string;
  let sim: Simulator;
  let redis: RedisProcess;
  let smtpDown: number;
  let smtpRefusing: SMTPServer;
  let smtpRefusingPort: number;
  let smtpAccepting: SMTPServer;
  let smtpAcceptingPort: number;
  const mails: string[] = [];
  const procs: CliProcess[] = [];
  let seq = 0;

  /** A config file with both kinds of account, the SMTP alert channel, a password-protected Redis and a protected /metrics. */
  const writeConfig = (opts: { clientSecret?: string; apiKey?: string; redisPasswordFile?: string; smtpPort?: number; extra?: string } = {}) => {
    const file = join(dir, `config-${++seq}.yaml`);
    writeFileSync(file, `sendpulse: { baseUrl: "${sim.url}", timeout: 2s }
redis:
  url: redis://127.0.0.1:${redis.port}
  passwordFile: ${opts.redisPasswordFile ?? 'redis-password'}
  prefix: sec${seq}
server:
  host: 127.0.0.1
  port: 0
  auth: { bearerTokenFile: metrics-token }
logLevel: debug
accounts:
  - name: keyacct
    apiKey: ${opts.apiKey ?? API_KEY}
    intervals: { balance: 2s, userInfo: 2s, team: 2s }
    budget: { perMinute: 600, perDay: 100000, perSecond: 5 }
  - name: oauthacct
    clientId: client-oauth
    clientSecretFile: client-secret
    intervals: { balance: 2s, userInfo: 2s, team: 2s }
    budget: { perMinute: 600, perDay: 100000, perSecond: 5 }
alerts:
  rules: { balance: { warning: 100, critical: 50 } }
  email:
    smtpUrl: smtp://monitor:${SMTP_PASSWORD}@127.0.0.1:${opts.smtpPort ?? smtpDown}
    from: monitor@example.org
    to: [ops@example.org]
${opts.extra ?? ''}`);
    writeFileSync(join(dir, 'client-secret'), `${opts.clientSecret ?? CLIENT_SECRET}\n`);
    return file;
  };
  const cli = (args: string[]) => {
    const p = spawnCli(args, { LOG_LEVEL: 'debug' });
    procs.push(p);
    return p;
  };
  const get = async (url: string) => {
    const res = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    return { status: res.status, text: await res.text(), headers: JSON.stringify([...res.headers]) };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spm-secrets-'));
    writeFileSync(join(dir, 'redis-password'), REDIS_PASSWORD);
    writeFileSync(join(dir, 'wrong-redis-password'), WRONG_REDIS_PASSWORD);
    writeFileSync(join(dir, 'metrics-token'), METRICS_TOKEN);
    sim = await startSimulator({
      accounts: [
        { id: 'keyacct', apiKey: API_KEY, userInfo: sampleUserInfo(5, 'A B'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(Date.now()) },
        { id: 'oauthacct', clientId: 'client-oauth', clientSecret: CLIENT_SECRET, tokenTtlSeconds: 4, userInfo: sampleUserInfo(6, 'C D'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(Date.now()) },
      ],
    });
    redis = await startRedisProcess(['--requirepass', REDIS_PASSWORD, '--maxmemory-policy', 'noeviction']);
    smtpDown = await freePort();
    smtpRefusingPort = await freePort();
    smtpRefusing = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      onAuth: (_auth, _session, cb) => cb(new Error('Invalid username or password')),
      logger: false,
    });
    await new Promise<void>((res) => smtpRefusing.listen(smtpRefusingPort, '127.0.0.1', () => res()));
    smtpAcceptingPort = await freePort();
    smtpAccepting = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      onAuth: (auth, _session, cb) => (auth.password === SMTP_PASSWORD ? cb(null, { user: auth.username }) : cb(new Error('Invalid username or password'))),
      onData: (stream, _session, cb) => {
        let raw = '';
        stream.on('data', (d: Buffer) => { raw += d.toString(); });
        stream.on('end', () => { mails.push(raw); cb(); });
      },
      logger: false,
    });
    await new Promise<void>((res) => smtpAccepting.listen(smtpAcceptingPort, '127.0.0.1', () => res()));
  }, 30_000);
  afterEach(async () => {
    await killAll(procs);
  });
  afterAll(async () => {
    await new Promise<void>((res) => smtpRefusing.close(() => res()));
    await new Promise<void>((res) => smtpAccepting.close(() => res()));
    await Promise.all([sim?.close(), redis?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a monitor at debug level with renewing OAuth tokens leaks nothing to its log, its pages, /metrics, its alert mails or Redis', async () => {
    const p = cli(['run', '--config', writeConfig({ smtpPort: smtpAcceptingPort })]);
    const url = await p.url();
    await waitFor('both accounts up in /metrics', async () => {
      const m = parseMetrics((await get(`${url}/metrics`)).text);
      return sampleValue(m, 'sendpulse_up', { account: 'keyacct' }) === 1 && sampleValue(m, 'sendpulse_up', { account: 'oauthacct' }) === 1;
    }, 20_000);
    // The 4 s tokens get renewed at least once, so the token path ran more than once.
    await waitFor('a token renewal', () => sim.requests({ account: 'oauthacct', endpoint: 'oauth_token' }).length >= 2, 15_000);
    // The error paths run too: a rejected token (401) is dropped and renewed, a 5xx fails the poll.
    sim.setFault({ kind: 'unauthorized', account: 'oauthacct', endpoint: 'balance', count: 1 });
    sim.setFault({ kind: 'http_5xx', account: 'keyacct', endpoint: 'balance' });
    await waitFor('a failed poll in /metrics', async () =>
      (sampleValue(parseMetrics((await get(`${url}/metrics`)).text), 'sendpulse_up', { account: 'keyacct' }) ?? 1) === 0, 15_000);
    sim.clearFaults();

    for (const page of ['/metrics', '/', '/accounts/keyacct', '/accounts/oauthacct', '/alerts', '/api/v1/accounts', '/api/v1/accounts/oauthacct',
      '/api/v1/alerts', '/readyz', '/healthz', '/nope']) {
      const r = await get(url + page);
      expectNoSecret(`GET ${page}`, r.text + r.headers);
    }
    // What an unauthenticated caller sees (the 401) names no secret either.
    const refused = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer guess' } });
    expectNoSecret('401 response', (await refused.text()) + JSON.stringify([...refused.headers]));

    // The balance (9.36) is under the critical threshold: both accounts' alert mails went out over SMTP with the password.
    await waitFor('an alert mail for each account', () => mails.filter((m) => /keyacct|oauthacct/.test(m)).length >= 2, 20_000);
    mails.forEach((m, i) => expectNoSecret(`alert mail ${i}`, m));

    p.proc.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.output()).toContain('"level":20');
    expectNoSecret('run log (debug)', p.output());
    await expectRedisClean(`sec${seq}`);
  }, 90_000);

  it('wrong SendPulse credentials are reported without quoting them', async () => {
    const p = cli(['run', '--config', writeConfig({ clientSecret: WRONG_CLIENT_SECRET, apiKey: WRONG_API_KEY })]);
    await p.url();
    await waitFor('both accounts reported failing', () => p.output().includes('"code":"SPM_ERR_AUTH"') && p.output().includes('"code":"SPM_ERR_INVALID_CLIENT"'), 20_000);
    // The credentials alert fires, and its mail fails against the unreachable SMTP server (with the password in its URL).
    await waitFor('a failed alert delivery in the log', () => p.output().includes('alert notification delivery failed'), 20_000);
    const check = cli(['check', '--config', writeConfig({ clientSecret: WRONG_CLIENT_SECRET, apiKey: WRONG_API_KEY })]);
    const code = await check.exited;
    expect(code).not.toBe(0);
    expect(check.output()).toContain('invalid_client');
    expectNoSecret('run log with wrong credentials', p.output());
    expectNoSecret('check output with wrong credentials', check.output());
  }, 60_000);

  it('a wrong Redis password is reported (WRONGPASS) without quoting either password', async () => {
    const r = cli(['run', '--config', writeConfig({ redisPasswordFile: 'wrong-redis-password' })]);
    // Wait for an error logged as a whole object (pino's err serializer), not just its message:
    // ioredis puts the failed AUTH command, password included, on the error object.
    await waitFor('a logged Redis error object', () => /"err":\{[^}]*WRONGPASS/.test(r.output()), 20_000);
    expectNoSecret('run log with a wrong Redis password', r.output());
  }, 60_000);

  it('an unreachable or refusing SMTP server is reported by test-alert without the SMTP password', async () => {
    const down = cli(['test-alert', '--config', writeConfig()]);
    expect(await down.exited).toBe(1);
    expect(down.output()).toMatch(/email: failed \(retryable\)/);
    expectNoSecret('test-alert, SMTP down', down.output());
    const refusing = cli(['test-alert', '--config', writeConfig({ smtpPort: smtpRefusingPort })]);
    expect(await refusing.exited).toBe(1);
    expect(refusing.output()).toMatch(/email: rejected \(.*(Invalid|535|auth)/i);
    expectNoSecret('test-alert, SMTP refusing the login', refusing.output());
  }, 60_000);

  it('validate reports a bad config file by key path without quoting any secret in it', async () => {
    const file = writeConfig({ extra: `  webhook: { url: "not a url ${CLIENT_SECRET}", headers: { Authorization: "" } }\n` });
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync(file, 'utf8')
      .replace(`smtp://monitor:${SMTP_PASSWORD}@`, `smtp//monitor:${SMTP_PASSWORD}@`)
      .replace(`apiKey: ${API_KEY}`, `apiKey: ${API_KEY}\n    apikey: ${API_KEY}`));
    const v = cli(['validate', '--config', bad]);
    expect(await v.exited).toBe(1);
    expect(v.output()).toMatch(/alerts\.email\.smtpUrl/);
    expect(v.output()).toMatch(/accounts\[0\]\.apikey: unknown key/);
    expectNoSecret('validate output', v.output());
    // A YAML syntax error next to a secret: the code frame is not printed.
    writeFileSync(bad, `accounts:\n  - name: a\n    apiKey: "${API_KEY}\n`);
    const y = cli(['validate', '--config', bad]);
    expect(await y.exited).toBe(1);
    expectNoSecret('validate output on a YAML error', y.output());
  }, 30_000);

  /** Every value under `prefix` (and BullMQ's keys) in Redis, whatever its type, is free of secrets. */
  async function expectRedisClean(prefix: string): Promise<void> {
    const r = new Redis({ port: redis.port, host: '127.0.0.1', password: REDIS_PASSWORD });
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await r.scan(cursor, 'COUNT', 1000);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      expect(keys.filter((k) => k.startsWith(`${prefix}:`)).length).toBeGreaterThan(5);
      for (const key of keys) {
        const type = await r.type(key);
        const value =
          type === 'string' ? await r.get(key)
          : type === 'hash' ? await r.hgetall(key)
          : type === 'list' ? await r.lrange(key, 0, -1)
          : type === 'set' ? await r.smembers(key)
          : type === 'zset' ? await r.zrange(key, 0, -1, 'WITHSCORES')
          : type === 'stream' ? await r.xrange(key, '-', '+')
          : null;
        expectNoSecret(`redis ${type} ${key}`, key + JSON.stringify(value));
      }
    } finally {
      r.disconnect();
    }
  }
});
