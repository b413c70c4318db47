import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { loadConfig } from '../../src/config/load-config';
import type { MonitorConfig } from '../../src/config/types';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { startSimulator } from '../../src/simulator/simulator';
import type { Simulator } from '../../src/simulator/types';
import { startMonitor, type Monitor } from '../../src/worker';
import { parseMetrics, sampleValue } from '../helpers/metrics-text';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster';
import { waitFor } from '../helpers/wait-for';

describe('Redis Cluster (three masters on loopback)', () => {
  let dir: string;
  let sim: Simulator;
  let cluster: RedisCluster;
  let admin: Cluster;
  const monitors: Monitor[] = [];
  let seq = 0;

  const config = (prefix: string, balanceInterval = '2s'): MonitorConfig => {
    const file = join(dir, `config-${++seq}.yaml`);
    writeFileSync(file, `sendpulse: { baseUrl: "${sim.url}", timeout: 2s }
redis:
  cluster:
    nodes: [${cluster.nodes.map((n) => `"${n}"`).join(', ')}]
  prefix: ${prefix}
server: { host: 127.0.0.1, port: 0 }
accounts:
  - name: main
    apiKey: key-main
    intervals: { balance: ${balanceInterval}, userInfo: 1h, team: 1h }
    budget: { perMinute: 600, perDay: 100000, perSecond: 5 }
`);
    return loadConfig({ file, env: {} });
  };
  const metricsOf = async (m: Monitor) => parseMetrics(await (await fetch(`${m.url}/metrics`)).text());

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spm-cluster-'));
    cluster = await startRedisCluster(3);
    admin = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
    sim = await startSimulator({ accounts: [{ id: 'main', apiKey: 'key-main', userInfo: sampleUserInfo(5, 'A B'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(Date.now()) }] });
  }, 60_000);
  beforeEach(() => sim.clearRequests());
  afterEach(async () => {
    for (const m of monitors.splice(0)) await m.close(1000);
  });
  afterAll(async () => {
    admin?.disconnect();
    await Promise.all([cluster?.close(), sim?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('wraps a prefix without a hash tag as {prefix}, and keeps one that has a tag', () => {
    const wrapped = config('spm').redis;
    expect(wrapped.prefix).toBe('{spm}');
    expect(wrapped.prefixAsWritten).toBe('spm');
    const tagged = config('team-{a}').redis;
    expect(tagged.prefix).toBe('team-{a}');
    expect(tagged.prefixAsWritten).toBeUndefined();
  });

  it('polls the simulator and serves the account metrics through the cluster, every key in one slot', async () => {
    const m = await startMonitor(config('c1'));
    monitors.push(m);
    // One condition: the three first polls are saved a few ms apart, so the balance alone does not mean up.
    await waitFor('the balance in /metrics and the account up', async () => {
      const samples = await metricsOf(m);
      return sampleValue(samples, 'sendpulse_balance', { account: 'main', kind: 'main' }) === 9.36 && sampleValue(samples, 'sendpulse_up', { account: 'main' }) === 1;
    }, 20_000);
    // The keys are spread over the cluster by slot; collect them from every master.
    const keys: string[] = [];
    for (const node of admin.nodes('master')) keys.push(...(await node.keys('*c1*')));
    expect(keys.length).toBeGreaterThan(5);
    expect(keys.every((k) => k.startsWith('{c1}:'))).toBe(true);
    const slots = new Set(await Promise.all(keys.map((k) => admin.cluster('KEYSLOT', k))));
    expect(slots.size).toBe(1);
    // Readiness checks Redis and the schedules through the cluster too.
    expect((await fetch(`${m.url}/readyz`)).status).toBe(200);
  });

  it('two monitors on one cluster do not double the polling, and both serve the same values', async () => {
    const cfg = config('c2');
    const [a, b] = await Promise.all([startMonitor(cfg), startMonitor(cfg)]);
    monitors.push(a, b);
    await waitFor('polling to start', () => sim.requests({ endpoint: 'balance' }).length >= 1, 20_000);
    const t0 = sim.requests({ endpoint: 'balance' })[0].time;
    await waitFor('12 s of polling', () => Date.now() - t0 >= 12_000, 20_000);
    const polls = sim.requests({ endpoint: 'balance', until: t0 + 12_000 }).length;
    // Every 2 s over 12 s: 6 or 7 polls; two independent schedules would make about 12.
    expect(polls).toBeGreaterThanOrEqual(5);
    expect(polls).toBeLessThanOrEqual(8);
    for (const m of [a, b]) expect(sampleValue(await metricsOf(m), 'sendpulse_balance', { account: 'main', kind: 'main' })).toBe(9.36);
  }, 60_000);
});
