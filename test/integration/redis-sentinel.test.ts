import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load-config';
import type { MonitorConfig } from '../../src/config/types';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { startSimulator } from '../../src/simulator/simulator';
import type { Simulator } from '../../src/simulator/types';
import { freePort } from '../../src/state/private-redis';
import { startMonitor, type Monitor } from '../../src/worker';
import { parseMetrics, sampleValue } from '../helpers/metrics-text';
import { startRedisProcess, type RedisProcess } from '../helpers/redis-cluster';
import { waitFor } from '../helpers/wait-for';

const PASSWORD = 'sentinel-master-pass-4k2';

describe('Redis Sentinel (one master, one sentinel)', () => {
  let dir: string;
  let sim: Simulator;
  let master: RedisProcess;
  let sentinel: RedisProcess;
  let monitor: Monitor | undefined;
  let seq = 0;

  const config = (redisYaml: string): MonitorConfig => {
    const file = join(dir, `config-${++seq}.yaml`);
    writeFileSync(file, `sendpulse: { baseUrl: "${sim.url}", timeout: 2s }
redis:
${redisYaml}
server: { host: 127.0.0.1, port: 0 }
accounts:
  - name: main
    apiKey: key-main
    intervals: { balance: 1h, userInfo: 1h, team: 1h }
`);
    return loadConfig({ file, env: {} });
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spm-sentinel-'));
    writeFileSync(join(dir, 'redis-password'), PASSWORD);
    sim = await startSimulator({ accounts: [{ id: 'main', apiKey: 'key-main', userInfo: sampleUserInfo(5, 'A B'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(Date.now()) }] });
    master = await startRedisProcess(['--requirepass', PASSWORD, '--maxmemory-policy', 'noeviction']);
    // redis-sentinel is redis-server in sentinel mode; it needs a config file it can rewrite.
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(conf, `sentinel monitor mymaster 127.0.0.1 ${master.port} 1\nsentinel auth-pass mymaster ${PASSWORD}\n`);
    sentinel = await startRedisProcess([], { port: await freePort(), configFile: conf, mode: ['--sentinel'] });
    const probe = new Redis({ port: sentinel.port, host: '127.0.0.1' });
    await waitFor('the sentinel to know the master', async () => {
      const addr = (await probe.call('SENTINEL', 'get-master-addr-by-name', 'mymaster')) as string[] | null;
      return addr?.[1] === String(master.port);
    });
    probe.disconnect();
  }, 30_000);
  afterEach(async () => {
    await monitor?.close(1000);
    monitor = undefined;
  });
  afterAll(async () => {
    await Promise.all([sentinel?.close(), master?.close(), sim?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the master through the sentinel, logs in with the password, and serves the account metrics', async () => {
    monitor = await startMonitor(config(`  sentinel: { sentinels: ["127.0.0.1:${sentinel.port}"], name: mymaster }\n  passwordFile: redis-password\n  prefix: sen`));
    const url = monitor.url as string;
    await waitFor('the balance in /metrics', async () =>
      sampleValue(parseMetrics(await (await fetch(`${url}/metrics`)).text()), 'sendpulse_balance', { account: 'main', kind: 'main' }) === 9.36);
    // The state is on the master the sentinel named: no URL pointed at it.
    const direct = new Redis({ port: master.port, host: '127.0.0.1', password: PASSWORD });
    expect(Object.keys(await direct.hgetall('sen:acct:main')).length).toBeGreaterThan(0);
    direct.disconnect();
  });

  it('rejects a sentinel together with a url, and a sentinel address that is not host:port', () => {
    expect(() => config(`  url: redis://127.0.0.1:6379\n  sentinel: { sentinels: ["127.0.0.1:${sentinel.port}"], name: mymaster }`))
      .toThrow(/redis: set only one of url, cluster and sentinel \(found url and sentinel\)/);
    expect(() => config('  sentinel: { sentinels: ["127.0.0.1"], name: mymaster }'))
      .toThrow(/redis\.sentinel\.sentinels\[0\]: "127\.0\.0\.1" is not a sentinel address \(host:port\)/);
  });
});
