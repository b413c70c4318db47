import Redis from 'ioredis';
import { BudgetExhaustedError } from '../../src/errors';
import { MAX_PAUSE_MS, RequestBudget, WINDOW_SPAN_MS, DAY_BUCKET_MS } from '../../src/budget/request-budget';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { makeAccount } from '../unit/budget/make-account';

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

let server: TestRedis;
const clients: Redis[] = [];
let prefixSeq = 0;

function connect(): Redis {
  const r = new Redis(server.url, { maxRetriesPerRequest: 1 });
  clients.push(r);
  return r;
}

/** A settable clock shared by "replicas". */
function clock(start = T0) {
  const c = { t: start, now: () => c.t };
  return c;
}

async function refusal(p: Promise<void>): Promise<BudgetExhaustedError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof BudgetExhaustedError) return err;
    throw err;
  }
  throw new Error('take() was expected to be refused');
}

/** The window named in the refusal ("... budget for this minute used up ..."). */
function windowOf(err: BudgetExhaustedError): string {
  return /for this (\w+) used up/.exec(err.message)?.[1] ?? '?';
}

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
  await server.close();
});

describe('RequestBudget windows', () => {
  it('refuses past the per-second budget and says when there is room', async () => {
    const c = clock();
    const b = new RequestBudget({ redis: connect(), prefix: `t${++prefixSeq}`, accounts: [makeAccount('a', { budget: { perSecond: 3, perMinute: 100 } })], now: c.now });
    for (let i = 0; i < 3; i++) await b.take('a');
    c.t += 400;
    const err = await refusal(b.take('a'));
    expect(windowOf(err)).toBe('second');
    expect(err.delayMs).toBe(WINDOW_SPAN_MS.second - 400);
    c.t += err.delayMs - 1;
    await refusal(b.take('a'));
    c.t += 1;
    await b.take('a');
  });

  it('counts the second window from the newest requests of the minute\'s log, older ones in the log left out', async () => {
    const c = clock();
    const b = new RequestBudget({ redis: connect(), prefix: `t${++prefixSeq}`, accounts: [makeAccount('a', { budget: { perSecond: 2, perMinute: 100 } })], now: c.now });
    for (const at of [0, 300, 2000, 2100]) {
      c.t = T0 + at;
      await b.take('a');
    }
    c.t = T0 + 2200;
    const err = await refusal(b.take('a'));
    expect(windowOf(err)).toBe('second');
    // Room comes when the request of 2000 leaves the second window (2000 + 1100), not one of 0 or 300.
    expect(err.delayMs).toBe(2000 + WINDOW_SPAN_MS.second - 2200);
    c.t = T0 + 3100;
    await b.take('a');
    expect(await b.usage('a')).toEqual({ second: 2, minute: 5, day: 5 });
  });

  it('gives the day keys an expiry again when the day hash was lost (evicted) while its bucket set lived', async () => {
    const c = clock();
    const redis = connect();
    const b = new RequestBudget({ redis, prefix: `t${++prefixSeq}`, accounts: [makeAccount('a')], now: c.now });
    await b.take('a');
    await redis.del(b.key('a', 'day'));
    c.t += 1000; // the same day bucket: no new bucket to set the expiry
    await b.take('a');
    expect(await redis.hget(b.key('a', 'day'), 'total')).toBe('1');
    expect(await redis.pttl(b.key('a', 'day'))).toBeGreaterThan(WINDOW_SPAN_MS.day);
  });

  it('slides the minute window: one old request leaving makes room for one, not for a whole new minute', async () => {
    const c = clock();
    const b = new RequestBudget({ redis: connect(), prefix: `t${++prefixSeq}`, accounts: [makeAccount('a', { budget: { perMinute: 5 } })], now: c.now });
    const takenAt: number[] = [];
    for (let i = 0; i < 5; i++) {
      await b.take('a');
      takenAt.push(c.t);
      c.t += 10_000;
    }
    const err = await refusal(b.take('a'));
    expect(windowOf(err)).toBe('minute');
    expect(err.delayMs).toBe(takenAt[0] + WINDOW_SPAN_MS.minute - c.t);
    c.t += err.delayMs;
    await b.take('a');
    // A fixed window would now grant a fresh 5; the sliding one has room only as old requests leave.
    const again = await refusal(b.take('a'));
    expect(again.delayMs).toBe(takenAt[1] + WINDOW_SPAN_MS.minute - c.t);
  });

  it('refuses past the per-day budget until the oldest minute bucket has left the day', async () => {
    const c = clock();
    const b = new RequestBudget({ redis: connect(), prefix: `t${++prefixSeq}`, accounts: [makeAccount('a', { budget: { perDay: 3 } })], now: c.now });
    const firstBucket = T0 - (T0 % DAY_BUCKET_MS);
    for (let i = 0; i < 3; i++) {
      await b.take('a');
      c.t += 3_600_000;
    }
    const err = await refusal(b.take('a'));
    expect(windowOf(err)).toBe('day');
    expect(err.delayMs).toBe(firstBucket + DAY_BUCKET_MS + WINDOW_SPAN_MS.day - c.t);
    expect(await b.usage('a')).toEqual({ second: 0, minute: 0, day: 3 });
    c.t += err.delayMs;
    expect((await b.usage('a')).day).toBe(2);
    await b.take('a');
  });

  it('takes nothing when one window refuses', async () => {
    const c = clock();
    const b = new RequestBudget({ redis: connect(), prefix: `t${++prefixSeq}`, accounts: [makeAccount('a', { budget: { perSecond: 10, perMinute: 2 } })], now: c.now });
    await b.take('a');
    await b.take('a');
    for (let i = 0; i < 5; i++) await refusal(b.take('a'));
    expect(await b.usage('a')).toEqual({ second: 2, minute: 2, day: 2 });
  });

  it('uses the Redis clock when no clock is injected', async () => {
    const b = new RequestBudget({ redis: connect(), prefix: `t${++prefixSeq}`, accounts: [makeAccount('a', { budget: { perSecond: 2 } })] });
    await b.take('a');
    await b.take('a');
    const err = await refusal(b.take('a'));
    expect(err.delayMs).toBeGreaterThan(0);
    expect(err.delayMs).toBeLessThanOrEqual(WINDOW_SPAN_MS.second);
    expect(await b.usage('a')).toEqual({ second: 2, minute: 2, day: 2 });
  });
});

describe('RequestBudget across replicas', () => {
  it('never lets two replicas together exceed the budget in any sliding second or minute, under concurrent load', async () => {
    const c = clock();
    const prefix = `t${++prefixSeq}`;
    const account = makeAccount('a', { budget: { perSecond: 4, perMinute: 30, perDay: 45 } });
    const replicas = [connect(), connect()].map((redis) => new RequestBudget({ redis, prefix, accounts: [account], now: c.now }));
    const granted: number[] = [];
    // 100 simulated seconds in 250 ms steps; at each step both replicas fire 6 concurrent take()s.
    for (let step = 0; step < 400; step++) {
      const attempts = replicas.flatMap((r) => Array.from({ length: 6 }, () => r.take('a').then(() => true, (e: unknown) => {
        if (e instanceof BudgetExhaustedError) return false;
        throw e;
      })));
      const results = await Promise.all(attempts);
      for (const ok of results) if (ok) granted.push(c.t);
      c.t += 250;
    }
    const maxIn = (span: number) => Math.max(...granted.map((t) => granted.filter((u) => u >= t && u < t + span).length));
    expect(maxIn(1000)).toBeLessThanOrEqual(4);
    expect(maxIn(60_000)).toBeLessThanOrEqual(30);
    // The budget is used, not just respected: the first minute's 30 and then the day's remainder.
    expect(granted.length).toBe(45);
    expect(maxIn(60_000)).toBe(30);
  });

  it('keeps its counters across a restart: a new instance on a new connection gets no fresh budget', async () => {
    const c = clock();
    const prefix = `t${++prefixSeq}`;
    const accounts = [makeAccount('a', { budget: { perMinute: 3 } })];
    const before = new RequestBudget({ redis: connect(), prefix, accounts, now: c.now });
    for (let i = 0; i < 3; i++) await before.take('a');
    c.t += 5000;
    const after = new RequestBudget({ redis: connect(), prefix, accounts, now: c.now });
    expect(await after.usage('a')).toEqual({ second: 0, minute: 3, day: 3 });
    const err = await refusal(after.take('a'));
    expect(windowOf(err)).toBe('minute');
    expect(err.delayMs).toBe(WINDOW_SPAN_MS.minute - 5000);
  });
});

describe('RequestBudget after a 429', () => {
  it('pauses exactly that account for the Retry-After while a second account keeps taking', async () => {
    const c = clock();
    const b = new RequestBudget({ redis: connect(), prefix: `t${++prefixSeq}`, accounts: [makeAccount('a'), makeAccount('b', { budget: { perSecond: 100, perMinute: 100 } })], now: c.now });
    expect(await b.penalize('a', 7000)).toBe(7000);
    c.t += 2000;
    const err = await refusal(b.take('a'));
    expect(windowOf(err)).toBe('pause');
    expect(err.delayMs).toBe(5000);
    for (let i = 0; i < 20; i++) await b.take('b');
    c.t += 4999;
    await refusal(b.take('a'));
    c.t += 1;
    await b.take('a');
    expect(b.rateLimitedCounts().get('a')).toBe(1);
    expect(b.rateLimitedCounts().get('b')).toBe(0);
  });

  it('pauses a whole minute when SendPulse sends no Retry-After', async () => {
    const c = clock();
    const b = new RequestBudget({ redis: connect(), prefix: `t${++prefixSeq}`, accounts: [makeAccount('a')], now: c.now });
    expect(await b.penalize('a')).toBe(60_000);
    expect((await refusal(b.take('a'))).delayMs).toBe(60_000);
  });

  it('widens the pause for consecutive 429s, caps it, and forgets the streak after a success', async () => {
    const c = clock();
    const redis = connect();
    const b = new RequestBudget({ redis, prefix: `t${++prefixSeq}`, accounts: [makeAccount('a')], now: c.now });
    const pauses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const p = await b.penalize('a');
      pauses.push(p);
      c.t += p;
      await b.take('a');
    }
    expect(pauses).toEqual([60_000, 120_000, 240_000, 480_000, MAX_PAUSE_MS, MAX_PAUSE_MS]);
    await b.succeeded('a');
    expect(await b.penalize('a', 3000)).toBe(3000);
  });

  it('counts 429s from requests already in flight as the same episode, not as a wider streak', async () => {
    const c = clock();
    const b = new RequestBudget({ redis: connect(), prefix: `t${++prefixSeq}`, accounts: [makeAccount('a')], now: c.now });
    expect(await b.penalize('a', 10_000)).toBe(10_000);
    c.t += 100;
    // A second replica's request that was already on the wire; its Retry-After is honoured, not doubled.
    expect(await b.penalize('a', 10_000)).toBe(10_000);
    c.t += 10_000;
    expect(await b.penalize('a', 10_000)).toBe(20_000);
  });

  it('honours a Retry-After longer than the cap', async () => {
    const c = clock();
    const b = new RequestBudget({ redis: connect(), prefix: `t${++prefixSeq}`, accounts: [makeAccount('a')], now: c.now });
    expect(await b.penalize('a', 3_600_000)).toBe(3_600_000);
  });

  it('makes no Redis write on success when there is no 429 streak', async () => {
    const c = clock();
    const redis = connect();
    const b = new RequestBudget({ redis, prefix: `t${++prefixSeq}`, accounts: [makeAccount('a')], now: c.now });
    await b.take('a');
    const dels = async () => Number(/cmdstat_del:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);
    const before = await dels();
    for (let i = 0; i < 10; i++) await b.succeeded('a');
    expect(await dels()).toBe(before);
  });
});

describe('RequestBudget.usageMany', () => {
  it('reads the usage of many accounts in one pipelined pass', async () => {
    const c = clock();
    const names = Array.from({ length: 50 }, (_, i) => `acct-${i}`);
    const b = new RequestBudget({ redis: connect(), prefix: `t${++prefixSeq}`, accounts: names.map((n) => makeAccount(n)), now: c.now });
    for (let i = 0; i < names.length; i++) for (let k = 0; k < i % 4; k++) await b.take(names[i]);
    const usage = await b.usageMany(names);
    names.forEach((n, i) => expect(usage.get(n)).toEqual({ second: i % 4, minute: i % 4, day: i % 4 }));
  });
});
