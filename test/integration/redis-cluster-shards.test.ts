import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Cluster, type Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load-config';
import type { MonitorConfig } from '../../src/config/types';
import { PollSchedule } from '../../src/poller/poll-schedule';
import { POLL_QUEUE } from '../../src/poller/poll-worker';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { startSimulator } from '../../src/simulator/simulator';
import type { Simulator } from '../../src/simulator/types';
import { keySlot, Shards } from '../../src/state/shards';
import { startMonitor, type Monitor } from '../../src/worker';
import { parseMetrics, sampleValue } from '../helpers/metrics-text';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster';
import { TestSmtp } from '../helpers/test-smtp';
import { waitFor } from '../helpers/wait-for';

const NAMES = Array.from({ length: 30 }, (_, i) => `acct-${String(i).padStart(2, '0')}`);
/** The one account whose balance is below the warning level (10). */
const LOW = 'acct-07';

/** Commands each master served since the last CONFIG RESETSTAT (INFO commandstats, calls summed). */
async function commandsPerMaster(masters: Redis[]): Promise<number[]> {
  return Promise.all(masters.map(async (m) => {
    const info = await m.info('commandstats');
    return [...info.matchAll(/calls=(\d+)/g)].reduce((n, x) => n + Number(x[1]), 0);
  }));
}

describe('redis.shards on a three-master Redis Cluster', () => {
  let dir: string;
  let sim: Simulator;
  let cluster: RedisCluster;
  let admin: Cluster;
  let smtp: TestSmtp;
  const monitors: Monitor[] = [];
  let seq = 0;

  const config = (prefix: string, shards: number | null): MonitorConfig => {
    const file = join(dir, `config-${++seq}.yaml`);
    writeFileSync(file, `sendpulse: { baseUrl: "${sim.url}", timeout: 2s }
redis:
  cluster:
    nodes: [${cluster.nodes.map((n) => `"${n}"`).join(', ')}]
  prefix: ${prefix}
${shards === null ? '' : `  shards: ${shards}\n`}server: { host: 127.0.0.1, port: 0 }
alerts:
  staleAfter: 10
  rules:
    balance: { warning: 10, critical: 2 }
  email: { smtpUrl: "${smtp.url}", from: monitor@example.com, to: [ops@example.com] }
accounts:
${NAMES.map((n) => `  - name: ${n}
    apiKey: key-${n}
    intervals: { balance: 2s, userInfo: 1h, team: 1h }
    budget: { perMinute: 600, perDay: 100000, perSecond: 5 }`).join('\n')}
`);
    return loadConfig({ file, env: {} });
  };
  const metricsOf = async (m: Monitor) => parseMetrics(await (await fetch(`${m.url}/metrics`)).text());
  const masters = () => admin.nodes('master');
  const keysOf = async (pattern: string) => (await Promise.all(masters().map((n) => n.keys(pattern)))).map((k) => k.sort());
  const everyBalanceShown = async (m: Monitor) => {
    const s = await metricsOf(m);
    return NAMES.every((n) => sampleValue(s, 'sendpulse_balance', { account: n, kind: 'main' }) !== undefined);
  };
  /** Balance polls per account in [since, until). */
  const pollsIn = (since: number, until: number) => new Map(NAMES.map((n) => [n, sim.requests({ account: n, endpoint: 'balance', since, until }).length]));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spm-shards-'));
    cluster = await startRedisCluster(3);
    admin = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
    smtp = await TestSmtp.start();
    sim = await startSimulator({
      accounts: NAMES.map((id) => ({ id, apiKey: `key-${id}`, userInfo: sampleUserInfo(5, 'A B'), team: sampleTeam(),
        balanceDetail: sampleBalanceDetail(Date.now(), id === LOW ? '5.00' : '50.00') })),
    });
    await admin.nodes('master')[0].ping();
  }, 60_000);
  beforeEach(() => {
    sim.clearRequests();
    smtp.mails.length = 0;
  });
  afterEach(async () => {
    for (const m of monitors.splice(0)) await m.close(1000);
  });
  afterAll(async () => {
    admin?.disconnect();
    await Promise.all([cluster?.close(), sim?.close(), smtp?.down()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('polls 30 accounts over 3 shards on all three masters, no master serving more than half the commands, and mails an alert once', async () => {
    const cfg = config('sh', 3);
    const shards = new Shards(cfg.redis.prefix, 3);
    // Redis Cluster hashes the shards' tags as src/state/shards.ts does, and they fall on three different masters.
    for (const p of shards.prefixes) expect(Number(await admin.cluster('KEYSLOT', `${p}:acct:x`))).toBe(keySlot(`${p}:acct:x`));
    await Promise.all(masters().map((m) => m.config('RESETSTAT')));
    const m = await startMonitor(cfg);
    monitors.push(m);
    await m.started;
    await waitFor('every account in /metrics', () => everyBalanceShown(m), 30_000);
    await waitFor('the warning mail', () => smtp.mails.length >= 1, 20_000);
    const t0 = Date.now();
    await waitFor('10 s more of polling', () => Date.now() - t0 >= 10_000, 20_000);
    const polls = pollsIn(t0, t0 + 10_000);
    // Every 2 s over 10 s: 5 polls each (3 to 7 on a loaded machine); a lost scheduler gives 0, a doubled one about 10.
    for (const [name, n] of polls) expect([name, n >= 3 && n <= 7]).toEqual([name, true]);
    expect(smtp.subjects()).toEqual([`[FIRING:warning] ${LOW}: balance 5.00 USD is below 10 USD`]);
    expect(sampleValue(await metricsOf(m), 'sendpulse_alert_firing', { account: LOW, alert: 'balance', severity: 'warning' })).toBe(1);

    // Each shard's keys carry its prefix, in one slot; the three shards sit on three masters.
    const perMaster = await keysOf('{sh-*');
    const holders = perMaster.map((keys) => new Set(keys.map((k) => shards.prefixes.find((p) => k.startsWith(`${p}:`)))));
    for (const h of holders) expect(h.has(undefined)).toBe(false);
    expect(holders.filter((h) => h.size > 0).length).toBe(3);
    for (const h of holders) expect(h.size).toBe(1);
    const calls = await commandsPerMaster(masters());
    const total = calls.reduce((a, b) => a + b, 0);
    const shares = calls.map((c) => c / total);
    if (process.env.SPM_SHARD_FIGURES) console.log(`commands per master: ${calls.join(', ')} (shares ${shares.map((s) => `${(100 * s).toFixed(1)} %`).join(', ')})`);
    expect(Math.max(...shares)).toBeLessThanOrEqual(0.5);
    // The status page's JSON reads across the shards too.
    const overview = await (await fetch(`${m.url}/api/v1/accounts`)).json() as { counts: { accounts: number; warning: number } };
    expect(overview.counts).toMatchObject({ accounts: 30, warning: 1 });
    type Alerts = { alerts: { account: string; lastNotification: { channels: { channel: string; sentAt: string | null }[] } }[] };
    const alerts = await (await fetch(`${m.url}/api/v1/alerts`)).json() as Alerts;
    expect(alerts.alerts.map((a) => a.account)).toEqual([LOW]);
    expect(alerts.alerts[0].lastNotification.channels).toEqual([{ channel: 'email', sentAt: expect.any(String) }]);
    // An account page reads its own shard: its alert, the alert's history, its budget.
    type Detail = { alerts: { rule: string }[]; history: { kind: string }[]; budget: { used: { day: number } } };
    const page = await (await fetch(`${m.url}/api/v1/accounts/${LOW}`)).json() as Detail;
    expect(page.alerts.map((a) => a.rule)).toEqual(['balance']);
    expect(page.history.map((h) => h.kind)).toContain('firing');
    expect(page.budget.used.day).toBeGreaterThan(0);
    // The budget gauges read every shard's windows.
    const s = await metricsOf(m);
    for (const n of NAMES) expect([n, (sampleValue(s, 'sendpulse_api_budget_used', { account: n, window: 'day' }) ?? 0) > 0]).toEqual([n, true]);
  }, 120_000);

  it('two replicas with 3 shards each work every shard without doubling the polling, and both serve every account', async () => {
    const cfg = config('rp', 3);
    const [a, b] = await Promise.all([startMonitor(cfg), startMonitor(cfg)]);
    monitors.push(a, b);
    await Promise.all([a.started, b.started]);
    await waitFor('every account in both /metrics', async () => (await everyBalanceShown(a)) && everyBalanceShown(b), 30_000);
    const t0 = Date.now();
    await waitFor('10 s of polling', () => Date.now() - t0 >= 10_000, 20_000);
    for (const [name, n] of pollsIn(t0, t0 + 10_000)) expect([name, n >= 3 && n <= 7]).toEqual([name, true]);
    // Each replica made requests for accounts of every shard: each works every shard's queue.
    const shards = new Shards(cfg.redis.prefix, 3);
    for (const m of [a, b]) {
      const samples = parseMetrics(await m.processMetrics()).filter((x) => x.name === 'sendpulse_api_requests_total' && x.value > 0);
      expect(new Set(samples.map((x) => shards.of(x.labels.account))).size).toBe(3);
    }
    expect(smtp.subjects()).toEqual([`[FIRING:warning] ${LOW}: balance 5.00 USD is below 10 USD`]);
  }, 120_000);

  it('moving from 1 shard to 3 and back keeps every account polled once and does not mail an alert that already went out', async () => {
    const one = config('mv', null);
    const a = await startMonitor(one);
    monitors.push(a);
    await a.started;
    await waitFor('every account in /metrics', () => everyBalanceShown(a), 30_000);
    await waitFor('the warning mail', () => smtp.mails.length >= 1, 20_000);
    await monitors.pop()!.close(2000);

    const three = config('mv', 3);
    const shards = new Shards(three.redis.prefix, 3);
    const b = await startMonitor(three);
    monitors.push(b);
    await b.started;
    // The old queue has no scheduler and the old schedule no poll left; each shard's queue has its lane,
    // and its schedule one poll per endpoint of each of its accounts.
    const queue = (prefix: string) => new Queue(POLL_QUEUE, { connection: admin, prefix });
    const lanes = async (prefix: string) => {
      const q = queue(prefix);
      const ids = (await q.getJobSchedulers(0, -1, true)).map((s) => s.key);
      await q.close();
      return ids;
    };
    const scheduled = (prefix: string) => new PollSchedule(admin, prefix).members();
    expect(await lanes('{mv}')).toEqual([]);
    expect(await scheduled('{mv}')).toEqual([]);
    const split = shards.split(NAMES, (n) => n);
    for (let i = 0; i < 3; i++) {
      expect(await lanes(shards.prefixes[i])).toEqual(['lanes']);
      expect(await scheduled(shards.prefixes[i])).toEqual(split[i].flatMap((n) => [`${n}:balance`, `${n}:team`, `${n}:user_info`]).sort());
    }
    const t0 = Date.now();
    await waitFor('10 s of polling after the move', () => Date.now() - t0 >= 10_000, 20_000);
    for (const [name, n] of pollsIn(t0, t0 + 10_000)) expect([name, n >= 3 && n <= 7]).toEqual([name, true]);
    expect(smtp.subjects()).toEqual([`[FIRING:warning] ${LOW}: balance 5.00 USD is below 10 USD`]);
    const s = await metricsOf(b);
    expect(sampleValue(s, 'sendpulse_alert_firing', { account: LOW, alert: 'balance', severity: 'warning' })).toBe(1);
    expect(NAMES.every((n) => sampleValue(s, 'sendpulse_balance', { account: n, kind: 'main' }) !== undefined)).toBe(true);
    // Nothing of the accounts is left under the old prefix but BullMQ's finished jobs: their keys moved.
    const left = (await keysOf('{mv}:*')).flat().filter((k) => NAMES.some((n) => k.includes(n)) && !/^\{mv\}:(poll|notifications):/.test(k));
    expect(left).toEqual([]);
    expect(await admin.get('{mv}:shards')).toBe('3');

    // And back to one shard: the keys and schedulers return under {mv}, still no second mail.
    await monitors.pop()!.close(2000);
    const c = await startMonitor(config('mv', null));
    monitors.push(c);
    await c.started;
    for (const p of shards.prefixes) {
      expect(await lanes(p)).toEqual([]);
      expect(await scheduled(p)).toEqual([]);
    }
    expect(await lanes('{mv}')).toEqual(['lanes']);
    expect(await scheduled('{mv}')).toHaveLength(90);
    expect(await admin.exists('{mv}:shards')).toBe(0);
    const t1 = Date.now();
    await waitFor('10 s of polling after moving back', () => Date.now() - t1 >= 10_000, 20_000);
    for (const [name, n] of pollsIn(t1, t1 + 10_000)) expect([name, n >= 3 && n <= 7]).toEqual([name, true]);
    expect(smtp.subjects()).toEqual([`[FIRING:warning] ${LOW}: balance 5.00 USD is below 10 USD`]);
    expect(sampleValue(await metricsOf(c), 'sendpulse_alert_firing', { account: LOW, alert: 'balance', severity: 'warning' })).toBe(1);
  }, 120_000);
});
