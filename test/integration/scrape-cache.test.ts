import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { AccountMetrics } from '../../src/metrics/account-metrics';
import { balanceEndpoint } from '../../src/sendpulse/endpoints/balance';
import { ReadingStore } from '../../src/state/reading-store';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { sampleValue, parseMetrics } from '../helpers/metrics-text';
import { killAll, spawnCli, startMonitorEnv, type CliProcess, type MonitorEnv } from '../helpers/monitor-env';
import { usePrivateRedis } from '../helpers/redis-server';
import { waitFor } from '../helpers/wait-for';

/** `store` with its getMany() recorded: `read` lists the accounts of each read, in order. */
function spyOnReads(store: ReadingStore): { spy: ReadingStore; read: string[][] } {
  const read: string[][] = [];
  const spy = Object.create(store) as ReadingStore;
  spy.getMany = async (accounts) => {
    read.push([...accounts]);
    return store.getMany(accounts);
  };
  return { spy, read };
}

const reading = (main: string) => balanceEndpoint.parse(sampleBalanceDetail(Date.UTC(2026, 0, 1), main), { timeZone: 'UTC' });

describe('the per-account families follow the change log', () => {
  const conn = usePrivateRedis();

  it('re-reads only the accounts written since the last scrape, and every account again when the log lost track', async () => {
    const r = conn();
    const store = new ReadingStore(r, 'sc');
    const names = ['a', 'b', 'c'];
    for (const n of names) await store.saveSuccess(n, 'balance', reading('10.00'), 1000);
    const { spy, read } = spyOnReads(store);
    // No background catching up between the steps (each scrape catches up itself); closed at the end,
    // or its timer would go on reading a closed connection after the test.
    const metrics = new AccountMetrics([spy], () => names.map((name) => ({ name }) as never), { catchUpEveryMs: 60_000 });
    try {
      const text = async () => (await metrics.refresh()).map((f) => f.text()).join('');
      expect(sampleValue(parseMetrics(await text()), 'sendpulse_balance', { account: 'c', kind: 'main' })).toBe(10);
      expect(read).toEqual([['a', 'b', 'c']]);

      await store.saveSuccess('b', 'balance', reading('4.20'), 2000);
      const after = parseMetrics(await text());
      expect(read[1]).toEqual(['b']);
      expect(sampleValue(after, 'sendpulse_balance', { account: 'b', kind: 'main' })).toBe(4.2);
      expect(sampleValue(after, 'sendpulse_balance', { account: 'a', kind: 'main' })).toBe(10);
      // Nothing written since: nothing read, the same text.
      expect(await text()).toBe(await text());
      expect(read.slice(2).flat()).toEqual([]);
      await store.setAuth('c', 'failing');
      expect(sampleValue(parseMetrics(await text()), 'sendpulse_credentials_valid', { account: 'c' })).toBe(0);
      expect(read[read.length - 1]).toEqual(['c']);

      // Redis lost the log (FLUSHALL, a restart without persistence): every account is read again.
      await r.del(store.changesKey);
      await store.saveFailure('a', 'balance', 'timeout', 3000);
      await r.del(store.changesKey);
      await text();
      expect(read[read.length - 1]).toEqual(['a', 'b', 'c']);
    } finally {
      metrics.close();
    }
  });

  it('renders an account from its own save\'s answer without reading it, unless another replica wrote it since', async () => {
    const r = conn();
    const store = new ReadingStore(r, 'sf');
    const otherReplica = new ReadingStore(r, 'sf');
    const names = ['a', 'b'];
    for (const n of names) await store.saveSuccess(n, 'balance', reading('10.00'), 1000);
    const { spy, read } = spyOnReads(store);
    const metrics = new AccountMetrics([spy], () => names.map((name) => ({ name }) as never), { catchUpEveryMs: 60_000 });
    const balance = async (account: string) => sampleValue(parseMetrics((await metrics.refresh()).map((f) => f.text()).join('')), 'sendpulse_balance', { account, kind: 'main' });
    try {
      expect(await balance('a')).toBe(10);
      expect(read).toEqual([['a', 'b']]);
      // This replica's polls: their saves' answers are handed over, nothing is read for them.
      for (const [n, v] of [['a', '7.50'], ['b', '8.25']] as const) {
        const saved = await store.saveSuccess(n, 'balance', reading(v), 2000);
        metrics.observe(n, saved.state, saved.changeId);
      }
      expect(await balance('a')).toBe(7.5);
      expect(await balance('b')).toBe(8.25);
      expect(read).toEqual([['a', 'b']]);
      // Another replica saves b after this one: its value is read, not this replica's older one.
      const mine = await store.saveSuccess('b', 'balance', reading('1.00'), 3000);
      metrics.observe('b', mine.state, mine.changeId);
      await otherReplica.saveSuccess('b', 'balance', reading('2.00'), 3001);
      expect(await balance('b')).toBe(2);
      expect(read).toEqual([['a', 'b'], ['b']]);
      // Any write logged after this replica's save (here a failed poll) makes the account read again.
      const good = await store.saveSuccess('a', 'balance', reading('3.00'), 4000);
      metrics.observe('a', good.state, good.changeId);
      await store.saveFailure('a', 'balance', 'timeout', 4001);
      expect(await balance('a')).toBe(3);
      expect(read).toEqual([['a', 'b'], ['b'], ['a']]);
    } finally {
      metrics.close();
    }
  });

  it('keeps catching up in the background while scraped, and stops for good once closed (a scrape during shutdown starts nothing)', async () => {
    const r = conn();
    const store = new ReadingStore(r, 'sc2');
    await store.saveSuccess('a', 'balance', reading('10.00'), 1000);
    let calls = 0;
    const spy = Object.create(store) as ReadingStore;
    spy.changesSince = async (cursor) => {
      calls++;
      return store.changesSince(cursor);
    };
    const metrics = new AccountMetrics([spy], () => [{ name: 'a' } as never], { catchUpEveryMs: 20 });
    try {
      await metrics.refresh();
      const first = calls;
      await waitFor('background catch-ups', () => calls >= first + 3, 5000);
    } finally {
      metrics.close();
    }
    await metrics.refresh(); // a scrape while the process shuts down: answered, but no timer
    const atClose = calls;
    // An absence can only be watched for: 15 catch-up intervals.
    const since = Date.now();
    await waitFor('15 intervals', () => Date.now() - since >= 300, 2000);
    expect(calls).toBe(atClose);
  });
});

describe('/metrics of a running monitor', () => {
  let env: MonitorEnv;
  const procs: CliProcess[] = [];
  beforeAll(async () => {
    env = await startMonitorEnv([{ id: 'main', apiKey: 'key-main', userInfo: sampleUserInfo(9, 'A B'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(Date.now(), '50.00') }]);
  });
  afterAll(async () => {
    await killAll(procs);
    await env.close();
  });

  it('is gzip-compressed when the scraper accepts it (as Prometheus does), the same text once decompressed', async () => {
    const p = spawnCli(['run', '--config', env.writeConfig(`
  - name: main
    apiKey: key-main
    intervals: { balance: 1h, userInfo: 1h, team: 1h }
    budget: { perMinute: 600, perDay: 200000, perSecond: 10 }`)]);
    procs.push(p);
    const url = await p.url();
    // Every endpoint polled once, and not again for an hour: nothing changes the values between the two scrapes.
    await waitFor('a first good poll of every endpoint', async () => {
      const samples = parseMetrics(await (await request(`${url}/metrics`)).body.text());
      return sampleValue(samples, 'sendpulse_balance', { account: 'main', kind: 'main' }) === 50 && sampleValue(samples, 'sendpulse_up', { account: 'main' }) === 1;
    });
    const plain = await request(`${url}/metrics`);
    const zipped = await request(`${url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const plainText = await plain.body.text();
    const zippedBytes = Buffer.from(await zipped.body.arrayBuffer());
    expect(zippedBytes.length).toBeLessThan(plainText.length / 2);
    const strip = (t: string) => t.split('\n').filter((l) => !/^(process_|nodejs_|sendpulse_api_request_duration)/.test(l)).join('\n');
    expect(strip(gunzipSync(zippedBytes).toString('utf8'))).toBe(strip(plainText));
  });
});
