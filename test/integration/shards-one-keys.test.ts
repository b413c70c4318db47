import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load-config';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { startSimulator } from '../../src/simulator/simulator';
import type { Simulator } from '../../src/simulator/types';
import { startMonitor, type Monitor } from '../../src/worker';
import { parseMetrics, sampleValue } from '../helpers/metrics-text';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { TestSmtp } from '../helpers/test-smtp';
import { waitFor } from '../helpers/wait-for';

const SHARDS_LINE = process.env.SPM_CAPTURE_KEYS ? '' : '  shards: 1\n';

describe('redis.shards: 1', () => {
  let dir: string;
  let sim: Simulator;
  let redis: TestRedis;
  let client: Redis;
  let smtp: TestSmtp;
  let monitor: Monitor | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spm-shards1-'));
    redis = await startRedis();
    client = new Redis(redis.url);
    smtp = await TestSmtp.start();
    sim = await startSimulator({
      accounts: ['low', 'ok'].map((id) => ({ id, apiKey: `key-${id}`, userInfo: sampleUserInfo(5, 'A B'), team: sampleTeam(),
        balanceDetail: sampleBalanceDetail(Date.now(), id === 'low' ? '5.00' : '50.00') })),
    });
  });
  afterAll(async () => {
    await monitor?.close(1000);
    client?.disconnect();
    await Promise.all([redis?.close(), sim?.close(), smtp?.down()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every key name as it was before shards existed', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, `sendpulse: { baseUrl: "${sim.url}", timeout: 2s }
redis:
  url: ${redis.url}
  prefix: k1
${SHARDS_LINE}server: { host: 127.0.0.1, port: 0 }
alerts:
  rules:
    balance: { warning: 10, critical: 2 }
  email: { smtpUrl: "${smtp.url}", from: monitor@example.com, to: [ops@example.com] }
accounts:
${['low', 'ok'].map((n) => `  - name: ${n}
    apiKey: key-${n}
    intervals: { balance: 1s, userInfo: 1h, team: 1h }`).join('\n')}
`);
    monitor = await startMonitor(loadConfig({ file, env: {} }));
    await monitor.started;
    const m = monitor;
    await waitFor('both accounts polled', async () => {
      const s = parseMetrics(await (await fetch(`${m.url}/metrics`)).text());
      return ['low', 'ok'].every((a) => sampleValue(s, 'sendpulse_up', { account: a }) === 1);
    }, 20_000);
    await waitFor('the mail', () => smtp.mails.length === 1, 20_000);
    await waitFor('the delivery recorded and the outbox empty', async () => (await client.exists('k1:alerts:outbox')) === 0 && (await client.exists('k1:alerts:seen')) === 1);
    // BullMQ's own keys of a queue come and go with its jobs; the queues themselves are named by their
    // meta key. So do the leases of polls in flight.
    const ours = [...new Set((await client.keys('*'))
      .filter((k) => k !== 'k1:schedule:leases')
      .filter((k) => !/^k1:(poll|notifications|alerts):(?!state:|log:|firing$|notified$|outbox$|latest$|seen$|sent:)/.test(k) || /:meta$/.test(k))
      .map((k) => k.replace(/\d{10,}/g, '<ms>')))].sort();
    if (process.env.SPM_CAPTURE_KEYS) console.log(JSON.stringify(ours));
    expect(ours).toEqual(KEYS_BEFORE_SHARDS);
  });
});

/** The keys of this setup as the monitor wrote them before `redis.shards` existed (captured on commit 1ebc56e), plus the poll schedule that replaced the per-account job schedulers. */
const KEYS_BEFORE_SHARDS: string[] = [
  'k1:acct:low',
  'k1:acct:ok',
  'k1:alerts:firing',
  'k1:alerts:latest',
  'k1:alerts:log:low',
  'k1:alerts:meta',
  'k1:alerts:notified',
  'k1:alerts:seen',
  'k1:alerts:sent:low.balance.balance.1',
  'k1:alerts:state:low',
  // Since 2026-12-07: the usage snapshots (a field per account, read by the scrape in one HGETALL);
  // the second window is read from the minute's log, so there is no `second` key any more.
  'k1:budget:used',
  'k1:budget:{low}:day',
  'k1:budget:{low}:daybuckets',
  'k1:budget:{low}:minute',
  'k1:budget:{ok}:day',
  'k1:budget:{ok}:daybuckets',
  'k1:budget:{ok}:minute',
  'k1:changes',
  'k1:credentials',
  'k1:hist:low:balance',
  'k1:hist:low:emailsLeft',
  'k1:hist:low:smtp.email_qty_left',
  'k1:hist:ok:balance',
  'k1:hist:ok:emailsLeft',
  'k1:hist:ok:smtp.email_qty_left',
  'k1:notifications:meta',
  'k1:poll:meta',
  // Since the poll lanes (issue 15): the poll schedule, one member per account and endpoint.
  'k1:schedule',
  'k1:schedule:every',
  'k1:schedules:marker',
];
