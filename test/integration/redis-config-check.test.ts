import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pino from 'pino';
import { loadConfig } from '../../src/config/load-config';
import { startSimulator } from '../../src/simulator/simulator';
import type { Simulator } from '../../src/simulator/types';
import { RedisConfigGuard, readEvictionPolicy } from '../../src/state/redis-config-check';
import { startMonitor, type Monitor } from '../../src/worker';
import { simAccount } from '../helpers/fault-rig';
import { parseMetrics, sampleValue } from '../helpers/metrics-text';
import { startRedisProcess, type RedisProcess } from '../helpers/redis-cluster';
import { waitFor } from '../helpers/wait-for';

/** The eviction policy is read at start and again while running (every 5 min; 300 ms here). */
describe('the Redis eviction policy check', () => {
  let redis: RedisProcess;
  let admin: Redis;
  let sim: Simulator;
  let dir: string;
  let monitor: Monitor | undefined;

  beforeAll(async () => {
    redis = await startRedisProcess(['--maxmemory-policy', 'noeviction']);
    admin = new Redis(redis.port, '127.0.0.1');
    sim = await startSimulator({ accounts: [simAccount('main')] });
    dir = mkdtempSync(join(tmpdir(), 'spm-cfgcheck-'));
  });
  afterEach(async () => {
    await monitor?.close(1000);
    monitor = undefined;
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
  });
  afterAll(async () => {
    admin.disconnect();
    await sim.close();
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a policy changed while running on /readyz (still 200) and in sendpulse_redis_config_ok, and when it is fixed again', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, `sendpulse: { baseUrl: "${sim.url}" }
redis: { url: "redis://127.0.0.1:${redis.port}", prefix: cfg }
server: { host: 127.0.0.1, port: 0 }
accounts: [{ name: main, apiKey: key-main }]
`);
    monitor = await startMonitor(loadConfig({ file, env: {} }), { redisConfigCheckMs: 300 });
    await monitor.started;
    const url = monitor.url as string;
    const look = async () => {
      const readyz = await (await fetch(`${url}/readyz`)).text();
      return { readyz, ok: sampleValue(parseMetrics(await (await fetch(`${url}/metrics`)).text()), 'sendpulse_redis_config_ok') };
    };
    await waitFor('ready', async () => (await look()).readyz === 'ready\n');
    expect((await look()).ok).toBe(1);
    await admin.config('SET', 'maxmemory-policy', 'volatile-lru');
    await waitFor('the change noticed', async () => (await look()).ok === 0);
    expect((await look()).readyz).toBe(`ready; warning: Redis at 127.0.0.1:${redis.port} has maxmemory-policy volatile-lru, not noeviction: it may delete the monitor's keys when its memory fills\n`);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await waitFor('the fix noticed', async () => (await look()).ok === 1);
    expect((await look()).readyz).toBe('ready\n');
  });

  it('reads the policy from INFO when CONFIG is refused, as on managed Redis, and says so once', async () => {
    await admin.call('ACL', 'SETUSER', 'noconfig', 'on', '>noconfig-pass', '~*', '&*', '+@all', '-config');
    const client = new Redis({ port: redis.port, host: '127.0.0.1', username: 'noconfig', password: 'noconfig-pass' });
    try {
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lfu');
      expect(await readEvictionPolicy(client)).toEqual({ policy: 'allkeys-lfu', configRefused: expect.stringMatching(/^NOPERM /) });
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      const lines: string[] = [];
      const guard = new RedisConfigGuard({
        client, what: 'Redis at test', allowEviction: false, onState: () => undefined,
        log: pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) }),
      });
      await guard.checkAtStart();
      expect(lines.map((l) => JSON.parse(l).msg)).toEqual([expect.stringMatching(/^Redis at test refuses CONFIG GET \(NOPERM .*\), as managed services do; its maxmemory-policy is read from INFO instead$/)]);
    } finally {
      client.disconnect();
    }
  });

  it('carries on, saying so once, when Redis lets it read neither CONFIG nor INFO', async () => {
    await admin.call('ACL', 'SETUSER', 'limited', 'on', '>limited-pass', '~*', '&*', '+@all', '-config', '-info');
    const limited = new Redis({ port: redis.port, host: '127.0.0.1', username: 'limited', password: 'limited-pass', enableReadyCheck: false });
    try {
      const policy = await readEvictionPolicy(limited);
      expect(policy).toEqual({ policy: null, why: expect.stringMatching(/^CONFIG GET: NOPERM .*; INFO: NOPERM /) });
      const lines: string[] = [];
      const states: boolean[] = [];
      const guard = new RedisConfigGuard({
        client: limited, what: 'Redis at test', allowEviction: false, onState: (ok) => states.push(ok),
        log: pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) }),
      });
      await guard.checkAtStart();
      expect(states).toEqual([true]);
      expect(guard.warning()).toBeNull();
      expect(lines.map((l) => JSON.parse(l).msg)).toEqual([expect.stringMatching(/^cannot read the maxmemory-policy of Redis at test \(CONFIG GET: NOPERM .*\); carrying on: make sure it is noeviction, as BullMQ requires$/)]);
    } finally {
      limited.disconnect();
    }
  });
});
