import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import pino from 'pino';
import { loadConfig } from '../../src/config/load-config';
import type { MonitorConfig } from '../../src/config/types';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { startSimulator } from '../../src/simulator/simulator';
import type { Simulator } from '../../src/simulator/types';
import { createRedis, type RedisClient } from '../../src/state/redis-connection';
import { startMonitor, type Monitor } from '../../src/worker';
import { parseMetrics, sampleValue } from '../helpers/metrics-text';
import { startRedisProcess, type RedisProcess } from '../helpers/redis-cluster';
import { waitFor } from '../helpers/wait-for';

const REDIS_PASSWORD = 'redis-pass-Q7w2e9';

/** A pino logger whose lines land in `lines`, to check what a connection logs. */
function capture(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) }), lines };
}

/** A self-signed CA and a server certificate for localhost / 127.0.0.1, made with openssl. */
function makeCerts(dir: string): { ca: string; cert: string; key: string } {
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=spm-test-ca', '-keyout', f('ca.key'), '-out', f('ca.crt'));
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('server.key'), '-out', f('server.csr'));
  writeFileSync(f('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('ext.cnf'), '-out', f('server.crt'));
  return { ca: f('ca.crt'), cert: f('server.crt'), key: f('server.key') };
}

describe('Redis with a password and TLS', () => {
  let dir: string;
  let sim: Simulator;
  let plain: RedisProcess;
  let tls: RedisProcess;
  let certs: { ca: string; cert: string; key: string };
  const clients: RedisClient[] = [];
  let monitor: Monitor | undefined;
  let seq = 0;

  /** loadConfig of a file with this `redis:` block (indented two spaces) and one simulated account. */
  const config = (redisYaml: string, env: NodeJS.ProcessEnv = {}): MonitorConfig => {
    const file = join(dir, `config-${++seq}.yaml`);
    writeFileSync(file, `sendpulse: { baseUrl: "${sim.url}", timeout: 2s }
redis:
${redisYaml}
  prefix: tls${seq}
server: { host: 127.0.0.1, port: 0 }
accounts:
  - name: main
    apiKey: key-main
    intervals: { balance: 1h, userInfo: 1h, team: 1h }
`);
    return loadConfig({ file, env });
  };
  const connect = (cfg: MonitorConfig, log = capture().log) => {
    const c = createRedis(cfg.redis, log, { name: 'spm-test' });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spm-tls-'));
    certs = makeCerts(dir);
    writeFileSync(join(dir, 'redis-password'), `${REDIS_PASSWORD}\n`);
    sim = await startSimulator({ accounts: [{ id: 'main', apiKey: 'key-main', userInfo: sampleUserInfo(5, 'A B'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(Date.now()) }] });
    plain = await startRedisProcess(['--requirepass', REDIS_PASSWORD]);
    // Debian's redis-server 7.0 is built with TLS: a TLS-only port that also wants the password.
    tls = await startRedisProcess(['--requirepass', REDIS_PASSWORD, '--tls-cert-file', certs.cert, '--tls-key-file', certs.key,
      '--tls-ca-cert-file', certs.ca, '--tls-auth-clients', 'no'], { tls: true });
  }, 30_000);
  afterEach(async () => {
    await monitor?.close(1000);
    monitor = undefined;
    for (const c of clients.splice(0)) c.disconnect();
  });
  afterAll(async () => {
    await Promise.all([plain?.close(), tls?.close(), sim?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('password', () => {
    it('logs in with redis.passwordFile, and the monitor polls and serves metrics through it', async () => {
      const cfg = config(`  url: redis://127.0.0.1:${plain.port}\n  passwordFile: redis-password`);
      expect(await connect(cfg).ping()).toBe('PONG');
      monitor = await startMonitor(cfg);
      const url = monitor.url as string;
      await waitFor('the first poll in /metrics', async () =>
        sampleValue(parseMetrics(await (await fetch(`${url}/metrics`)).text()), 'sendpulse_balance', { account: 'main', kind: 'main' }) === 9.36);
    });

    it('logs in with redis.password from ${REDIS_PASSWORD}, and with a password in the URL', async () => {
      const fromEnv = config(`  url: redis://127.0.0.1:${plain.port}\n  password: \${REDIS_PASSWORD}`, { REDIS_PASSWORD });
      expect(await connect(fromEnv).ping()).toBe('PONG');
      const inUrl = config(`  url: redis://:${REDIS_PASSWORD}@127.0.0.1:${plain.port}`);
      expect(await connect(inUrl).ping()).toBe('PONG');
    });

    it('fails with NOAUTH or WRONGPASS without the right password, and never logs or reports the password', async () => {
      const none = capture();
      await expect(connect(config(`  url: redis://127.0.0.1:${plain.port}`), none.log).ping()).rejects.toThrow(/NOAUTH/);
      const wrong = capture();
      const err = await connect(config(`  url: redis://127.0.0.1:${plain.port}\n  password: not-${REDIS_PASSWORD}`), wrong.log).ping().catch((e: Error) => e);
      expect(String(err)).toMatch(/WRONGPASS/);
      // ioredis copies the failed command onto the error: the AUTH arguments are hidden there too.
      expect((err as { command?: unknown }).command).toEqual({ name: 'auth', args: ['[redacted]'] });
      expect(inspect(err)).not.toContain(REDIS_PASSWORD);
      expect(JSON.stringify(err)).not.toContain(REDIS_PASSWORD);
      expect(wrong.lines.join('')).toContain('redis connection error');
      expect([...none.lines, ...wrong.lines].join('')).not.toContain(REDIS_PASSWORD);
    });

    it('rejects password together with passwordFile in the config, without quoting either', () => {
      let message = '';
      try {
        config(`  url: redis://127.0.0.1:${plain.port}\n  password: ${REDIS_PASSWORD}\n  passwordFile: redis-password`);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toContain('redis: set only one of password and passwordFile');
      expect(message).not.toContain(REDIS_PASSWORD);
    });
  });

  describe('TLS (rediss://)', () => {
    it('connects with the CA from redis.tls.caFile, and the monitor polls and serves metrics over TLS', async () => {
      const cfg = config(`  url: rediss://127.0.0.1:${tls.port}\n  passwordFile: redis-password\n  tls: { caFile: ${certs.ca} }`);
      const c = connect(cfg);
      expect(await c.ping()).toBe('PONG');
      monitor = await startMonitor(cfg);
      const url = monitor.url as string;
      await waitFor('the first poll in /metrics', async () =>
        sampleValue(parseMetrics(await (await fetch(`${url}/metrics`)).text()), 'sendpulse_up', { account: 'main' }) === 1);
      // The state really went through the TLS Redis.
      expect(Object.keys(await c.hgetall(`${cfg.redis.prefix}:acct:main`)).length).toBeGreaterThan(0);
    });

    it('refuses a self-signed server certificate without the CA, and accepts it with insecureSkipVerify', async () => {
      const log = capture();
      const untrusted = connect(config(`  url: rediss://127.0.0.1:${tls.port}\n  passwordFile: redis-password`), log.log);
      await expect(untrusted.ping()).rejects.toThrow();
      expect(log.lines.join('')).toMatch(/self[- ]signed certificate/);
      const skip = connect(config(`  url: rediss://127.0.0.1:${tls.port}\n  passwordFile: redis-password\n  tls: { insecureSkipVerify: true }`));
      expect(await skip.ping()).toBe('PONG');
    });

    it('turns TLS on for a redis:// URL when a redis.tls block is given', async () => {
      const cfg = config(`  url: redis://localhost:${tls.port}\n  passwordFile: redis-password\n  tls: { caFile: ${certs.ca} }`);
      expect(await connect(cfg).ping()).toBe('PONG');
    });

    it('reports an unreadable caFile by its path at config load', () => {
      expect(() => config(`  url: rediss://127.0.0.1:${tls.port}\n  tls: { caFile: missing-ca.pem }`))
        .toThrow(/redis\.tls\.caFile: cannot read .*missing-ca\.pem \(no such file\)/);
    });
  });
});
