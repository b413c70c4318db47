import { Redis } from 'ioredis';
import { accountYaml, logRecords, okPolls, scrapeOk, simAccount, startFaultRig, up, type FaultRig } from '../helpers/fault-rig';
import { sampleValue } from '../helpers/metrics-text';
import type { CliProcess } from '../helpers/monitor-env';
import { allJson, linesMatching } from '../helpers/process-log';
import { waitFor } from '../helpers/wait-for';

const EVICTING = ['--maxmemory', '20mb', '--maxmemory-policy', 'allkeys-lru'];

async function readyz(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) });
  return { status: res.status, text: await res.text() };
}

/** Deletes every key matching `pattern` (SCAN, not KEYS): what eviction does to them. */
async function evict(conn: Redis, pattern: string): Promise<number> {
  let n = 0;
  let cursor = '0';
  do {
    const [next, keys] = await conn.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) n += await conn.del(...keys);
  } while (cursor !== '0');
  return n;
}

/**
 * Issue 10, case 8: an evicting Redis is refused with the fix in the message (or, when allowed, shown
 * on /readyz and in sendpulse_redis_config_ok); lost data is noticed (one error line, a counter) and
 * rebuilt (schedules, readings polled at once); an alert already mailed is not mailed again as new.
 */
describe('a Redis that may evict keys or lose data', () => {
  let rig: FaultRig | undefined;
  let conn: Redis | undefined;
  afterEach(async () => {
    conn?.disconnect();
    conn = undefined;
    await rig?.close();
    rig = undefined;
  });

  it('refuses to start on maxmemory-policy allkeys-lru, with the fix in one JSON line, also when CONFIG is disabled', async () => {
    for (const extra of [[], ['--rename-command', 'CONFIG', '']]) {
      rig = await startFaultRig([simAccount('main')], { redisArgs: [...EVICTING, ...extra] });
      const t0 = Date.now();
      const p = rig.run(rig.config({ accounts: accountYaml('main') }));
      expect(await p.exited).toBe(1);
      expect(Date.now() - t0).toBeLessThan(10_000);
      const errors = allJson(p.output()).filter((r) => r.level >= 50);
      expect(errors.map((r) => r.msg)).toEqual([`Redis at 127.0.0.1:${rig.redis.port} has maxmemory-policy allkeys-lru: when its memory fills it deletes keys`
        + ' the monitor needs (schedules, alert state, queued notifications), and BullMQ requires noeviction. Fix: CONFIG SET maxmemory-policy noeviction'
        + ' on that Redis and keep it in redis.conf (or the managed service\'s parameters); or set redis.allowEviction: true to run anyway']);
      expect(errors[0].code).toBe('SPM_ERR_REDIS_CONFIG');
      // BullMQ's own plain-text warning went through the logger (at debug level: not shown at info).
      expect(p.output()).not.toContain('IMPORTANT!');
      await rig.close();
      rig = undefined;
    }
  });

  it('runs with redis.allowEviction, saying so once in the log, on /readyz and in sendpulse_redis_config_ok', async () => {
    rig = await startFaultRig([simAccount('main')], { redisArgs: EVICTING });
    const p = rig.run(rig.config({ accounts: accountYaml('main'), redis: 'allowEviction: true' }));
    const url = await p.url();
    await waitFor('polling', async () => up(await scrapeOk(url), 'main') === 1, 20000);
    expect(await readyz(url)).toEqual({ status: 200, text: `ready; warning: Redis at 127.0.0.1:${rig.redis.port} has maxmemory-policy allkeys-lru, not noeviction:`
      + ' it may delete the monitor\'s keys when its memory fills (allowed by redis.allowEviction)\n' });
    expect(sampleValue(await scrapeOk(url), 'sendpulse_redis_config_ok')).toBe(0);
    const records = allJson(p.output());
    expect(linesMatching(records, /maxmemory-policy/).map((r) => [r.level, r.msg])).toEqual([[40, expect.stringMatching(/allkeys-lru, not noeviction: .*; running anyway$/)]]);
    expect(p.output()).not.toContain('IMPORTANT!');
  });

  for (const [what, lose] of [
    ['everything (FLUSHALL)', (c: Redis) => c.flushall()],
    // An eviction takes some keys: here the marker and the readings, while the schedulers stay.
    ['the marker and the readings (eviction)', (c: Redis) => c.del('loss:schedules:marker', 'loss:acct:main')],
  ] as const) {
    it(`notices that Redis lost ${what} once, counts it, and has every endpoint polled again at once`, async () => {
      rig = await startFaultRig([simAccount('main')]);
      // userInfo and team hourly: only an immediate re-poll brings sendpulse_up back within seconds.
      const p = rig.run(rig.config({ accounts: accountYaml('main', { every: '1h' }).replace('balance: 1h', 'balance: 1s'), prefix: 'loss' }));
      const url = await p.url();
      await waitFor('polling', async () => up(await scrapeOk(url), 'main') === 1, 20000);
      expect(sampleValue(await scrapeOk(url), 'sendpulse_redis_data_loss_total')).toBe(0);
      conn = new Redis(rig.redis.url);
      const logFrom = p.output().length;
      const lost = Date.now();
      await lose(conn);
      await waitFor('the account up again, every endpoint polled anew', async () => up(await scrapeOk(url), 'main') === 1
        && okPolls(rig!.sim, 'main', lost, 'user_info') >= 1 && okPolls(rig!.sim, 'main', lost, 'team') >= 1, 15000, 250);
      expect(Date.now() - lost).toBeLessThan(12_000);
      expect(sampleValue(await scrapeOk(url), 'sendpulse_redis_data_loss_total')).toBe(1);
      const records = logRecords(p.output(), logFrom);
      expect(records.filter((r) => Number(r.level) >= 50).map((r) => r.msg)).toEqual([expect.stringMatching(/^Redis lost the monitor's data \(its marker key is gone/)]);
      expect((await readyz(url)).status).toBe(200);
      allJson(p.output());
    });
  }

  it('notices a real eviction (maxmemory 20mb, allkeys-lru, memory filled) and sends no second mail for an unchanged alert', async () => {
    // 10 samples per eviction (Redis's advice for an LRU closer to the real thing; the default is 5).
    rig = await startFaultRig([simAccount('main')], { redisArgs: [...EVICTING, '--maxmemory-samples', '10'] });
    const r = rig;
    const p = r.run(r.config({ accounts: accountYaml('main'), prefix: 'lru', redis: 'allowEviction: true' }));
    const url = await p.url();
    await waitFor('polling', async () => up(await scrapeOk(url), 'main') === 1, 20000);
    r.sim.updateAccount('main', { balanceDetail: { balance: { main: '1.50' } } });
    await waitFor('the critical mail', () => r.smtp.mails.length === 1, 15000);
    conn = new Redis(r.redis.url);
    // Another application fills most of the memory, its keys age while the monitor's own keys are used
    // every second, then it writes on until Redis has evicted the monitor's marker (EXISTS does not
    // count as a use, so the check itself does not keep it). LRU evicts the idlest keys: the marker
    // and the aged junk; a key the monitor uses each second is the last candidate (Redis's LRU clock
    // ticks once a second, so fresh junk and fresh monitor keys would be a coin toss).
    const junk = 'x'.repeat(50_000);
    const write = async (batch: number) => {
      const pipe = conn!.pipeline();
      for (let i = 0; i < 20; i++) pipe.set(`other-app:${batch}:${i}`, junk);
      await pipe.exec();
    };
    for (let batch = 0; batch < 14; batch++) await write(batch); // 14 MB of the 20
    const aged = Date.now();
    await waitFor('the junk to age', () => Date.now() - aged >= 3000, 5000);
    let batch = 14;
    while ((await conn.exists('lru:schedules:marker')) === 1) {
      expect(batch).toBeLessThan(26); // no more than the aged junk: fresh keys would tie with the monitor's
      await write(batch++);
    }
    await waitFor('the loss noticed', async () => (sampleValue(await scrapeOk(url), 'sendpulse_redis_data_loss_total') ?? 0) >= 1, 15000);
    const from = Date.now();
    await waitFor('five more balance polls', () => okPolls(r.sim, 'main', from, 'balance') >= 5, 20000);
    expect(up(await scrapeOk(url), 'main')).toBe(1);
    expect(r.smtp.subjects()).toEqual(['[FIRING:critical] main: balance 1.50 USD is below 2 USD']);
    expect(linesMatching(allJson(p.output()), /^Redis lost the monitor's data/).length).toBeGreaterThanOrEqual(1);
  });

  it('does not mail an alert again as new when Redis evicted its state, and numbers the next notification on', async () => {
    rig = await startFaultRig([simAccount('main', {})]);
    const r = rig;
    const prefix = 'evict1';
    const p: CliProcess = r.run(r.config({ accounts: accountYaml('main'), prefix }));
    const url = await p.url();
    await waitFor('polling', async () => up(await scrapeOk(url), 'main') === 1, 20000);
    r.sim.updateAccount('main', { balanceDetail: { balance: { main: '1.50' } } });
    await waitFor('the critical mail', () => r.smtp.mails.length === 1, 15000);
    conn = new Redis(r.redis.url);
    // What an LRU eviction took in the reported case: the alert's state, the firing index, the
    // delivery records and the notification queue; the ledger, read with every state, stayed.
    await waitFor('the delivery recorded', async () => (await conn!.hlen(`${prefix}:alerts:outbox`)) === 0);
    for (const pattern of [`${prefix}:alerts:state:*`, `${prefix}:alerts:firing`, `${prefix}:alerts:sent:*`, `${prefix}:notifications:*`]) {
      expect(await evict(conn, pattern)).toBeGreaterThan(0);
    }
    const from = Date.now();
    await waitFor('five more balance polls and evaluations', () => okPolls(r.sim, 'main', from, 'balance') >= 5, 15000);
    await waitFor('the firing alert back in /metrics', async () => sampleValue(await scrapeOk(url), 'sendpulse_alert_firing',
      { account: 'main', alert: 'balance', severity: 'critical', service: 'balance' }) === 1, 10000);
    expect(r.smtp.subjects()).toEqual(['[FIRING:critical] main: balance 1.50 USD is below 2 USD']);

    // A change after the eviction is still told, with the next id: the ledger kept the sequence.
    r.sim.updateAccount('main', { balanceDetail: { balance: { main: '5.00' } } });
    await waitFor('the de-escalation mail', () => r.smtp.mails.length === 2, 15000);
    expect(r.smtp.subjects()[1]).toBe('[FIRING:warning] main: balance 5.00 USD is below 10 USD');
    expect(JSON.parse(await conn.hget(`${prefix}:alerts:notified`, 'main|balance|balance') ?? '{}')).toMatchObject({ s: 'warning', q: 2 });
    allJson(p.output());
  });

  it('delivers a notification whose queued job Redis evicted from the queue\'s lists, instead of leaving it in the outbox', async () => {
    rig = await startFaultRig([simAccount('main')]);
    const r = rig;
    const prefix = 'evict2';
    const p = r.run(r.config({ accounts: accountYaml('main'), prefix }));
    const url = await p.url();
    await waitFor('polling', async () => up(await scrapeOk(url), 'main') === 1, 20000);
    await r.smtp.down();
    r.sim.updateAccount('main', { balanceDetail: { balance: { main: '5.00' } } });
    conn = new Redis(r.redis.url);
    const c = conn;
    const [id] = await waitFor('a failed attempt, the job waiting for its retry', async () => {
      const ids = await c.hkeys(`${prefix}:alerts:outbox`);
      return ids.length === 1 && (await c.zcard(`${prefix}:notifications:delayed`)) === 1 && ids;
    }, 15000);
    // The job's own hash stays; the lists that would ever hand it to a worker are gone.
    for (const list of ['delayed', 'wait', 'marker', 'prioritized', 'paused']) await c.del(`${prefix}:notifications:${list}`);
    expect(await c.exists(`${prefix}:notifications:${id}`)).toBe(1);
    await r.smtp.up();
    await waitFor('the mail', () => r.smtp.mails.length === 1, 15000);
    expect(r.smtp.subjects()).toEqual(['[FIRING:warning] main: balance 5.00 USD is below 10 USD']);
    await waitFor('the outbox empty', async () => (await c.hlen(`${prefix}:alerts:outbox`)) === 0);
    allJson(p.output());
  });
});
