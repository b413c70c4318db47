import type { AccountConfig, Endpoint } from '../../src/config/types';
import { PollSchedule } from '../../src/poller/poll-schedule';
import { usePrivateRedis } from '../helpers/redis-server';

/**
 * The poll schedule's scripts against a real redis-server, with explicit clock values: when a poll is
 * due, what a claim takes and leaves, and what a replica killed mid-poll leaves to the others.
 */
describe('the poll schedule', () => {
  const redis = usePrivateRedis();
  const T0 = 1_800_000_000_000;
  const MIN = 60_000;
  const accounts = (...names: string[]) => names.map((name) => ({ name }) as AccountConfig);
  const every = (ms: number) => (_a: AccountConfig, _e: Endpoint) => ms;
  const members = (c: { polls: { member: string }[] }) => c.polls.map((p) => p.member).sort();


  it('runs each poll on its grid: first run, then first + k × interval, missed runs not made up', async () => {
    const conn = redis();
    const s = new PollSchedule(conn, 'grid');
    await s.sync(accounts('a'), every(MIN), ['balance'], T0);
    const first = Number(await conn.zscore(s.key, 'a:balance'));
    expect(first).toBeGreaterThanOrEqual(T0);
    expect(first).toBeLessThan(T0 + 10);
    expect(members(await s.claim(first - 1, 10, 25_000, [], []))).toEqual([]);
    const c1 = await s.claim(first + 5, 10, 25_000, [], []);
    expect(c1.polls).toEqual([{ member: 'a:balance', dueMs: first }]);
    expect(c1.nextDueMs).toBe(first + MIN);
    // Nothing polled for 3.5 intervals: one poll, then on the grid again (not three to catch up).
    const c2 = await s.claim(first + 4.5 * MIN, 10, 25_000, ['a:balance'], []);
    expect(c2.polls).toEqual([{ member: 'a:balance', dueMs: first + MIN }]);
    expect(c2.nextDueMs).toBe(first + 5 * MIN);
    expect(members(await s.claim(first + 4.6 * MIN, 10, 25_000, ['a:balance'], []))).toEqual([]);
  });

  it('claims at most `max`, oldest due first, and says when the next one is due', async () => {
    const conn = redis();
    const s = new PollSchedule(conn, 'max');
    await s.sync(accounts('a', 'b', 'c'), every(MIN), ['balance'], T0);
    const c = await s.claim(T0 + 1000, 2, 25_000, [], []);
    expect(c.polls).toHaveLength(2);
    expect(c.nextDueMs).toBeLessThan(T0 + 1000); // the third is due already
    const rest = await s.claim(T0 + 1000, 5, 25_000, [], []);
    expect([...members(c), ...members(rest)].sort()).toEqual(['a:balance', 'b:balance', 'c:balance']);
  });

  it('keeps phase and due time across a restart or a second replica, and starts afresh when the interval changes', async () => {
    const conn = redis();
    const s = new PollSchedule(conn, 'restart');
    await s.sync(accounts('a'), every(MIN), ['balance'], T0);
    await s.claim(T0 + 1000, 10, 25_000, [], []);
    const due = await conn.zscore(s.key, 'a:balance');
    expect((await s.sync(accounts('a'), every(MIN), ['balance'], T0 + 2000)).added).toBe(0);
    expect(await conn.zscore(s.key, 'a:balance')).toBe(due);
    expect((await s.sync(accounts('a'), every(5 * MIN), ['balance'], T0 + 3000)).added).toBe(1);
    expect(Number(await conn.zscore(s.key, 'a:balance'))).toBeLessThan(T0 + 3010);
    expect(await conn.hget(s.everyKey, 'a:balance')).toMatch(/^300000:/);
  });

  it('removes the polls of accounts and endpoints no longer configured, leases included', async () => {
    const conn = redis();
    const s = new PollSchedule(conn, 'removed');
    await s.sync(accounts('a', 'b'), every(MIN), ['balance', 'team'], T0);
    await s.claim(T0 + 1000, 10, 25_000, [], []);
    const r = await s.sync(accounts('a'), every(MIN), ['balance'], T0 + 2000);
    expect(r).toEqual({ members: 1, added: 0, removed: 3 });
    expect(await s.members()).toEqual(['a:balance']);
    expect(await conn.zrange(s.key, 0, -1)).toEqual(['a:balance']);
    expect(await conn.zrange(s.leasesKey, 0, -1)).toEqual(['a:balance']);
  });

  it('gives the poll of a replica that stopped renewing its lease to the next claim, once', async () => {
    const conn = redis();
    const s = new PollSchedule(conn, 'lease');
    await s.sync(accounts('a'), every(60 * MIN), ['user_info'], T0);
    expect(members(await s.claim(T0 + 1000, 10, 25_000, [], []))).toEqual(['a:user_info']);
    // A living replica renews its lease: nothing to take over.
    await s.claim(T0 + 20_000, 0, 25_000, [], ['a:user_info']);
    expect(members(await s.claim(T0 + 30_000, 10, 25_000, [], []))).toEqual([]);
    // It was killed: the lease runs out, and the next claim takes the poll (due unknown: 0), once.
    const taken = await s.claim(T0 + 45_001, 10, 25_000, [], []);
    expect(taken.polls).toEqual([{ member: 'a:user_info', dueMs: 0 }]);
    expect(members(await s.claim(T0 + 46_000, 10, 25_000, [], []))).toEqual([]);
    // Finished: the lease ends, and nothing is taken over later.
    await s.claim(T0 + 47_000, 0, 25_000, ['a:user_info'], []);
    expect(await conn.exists(s.leasesKey)).toBe(0);
    expect(members(await s.claim(T0 + 200_000, 10, 25_000, [], []))).toEqual([]);
  });

  it('polls now once per event however many replicas saw it, keeping the regular runs on their grid', async () => {
    const conn = redis();
    const s = new PollSchedule(conn, 'now');
    await s.sync(accounts('a'), every(60 * MIN), ['balance', 'team'], T0);
    await s.claim(T0 + 1000, 10, 25_000, [], []);
    const grid = Number(await conn.zscore(s.key, 'a:team'));
    expect(await s.pollNow('a', ['team'], 'credentials-1a2b', T0 + 5000)).toBe(true);
    expect(await s.pollNow('a', ['team'], 'credentials-1a2b', T0 + 5001)).toBe(false);
    const c = await s.claim(T0 + 5002, 10, 25_000, ['a:balance', 'a:team'], []);
    expect(c.polls).toEqual([{ member: 'a:team', dueMs: T0 + 5000 }]);
    expect(Number(await conn.zscore(s.key, 'a:team'))).toBe(grid);
    // An account not scheduled (removed from the config) is not added back.
    expect(await s.pollNow('gone', ['team'], 'x', T0 + 6000)).toBe(true);
    expect(await conn.zscore(s.key, 'gone:team')).toBeNull();
  });

  it('postpones a poll the budget has no room for, unless its next run comes first', async () => {
    const conn = redis();
    const s = new PollSchedule(conn, 'postpone');
    await s.sync(accounts('a'), every(MIN), ['balance'], T0);
    await s.claim(T0 + 1000, 10, 25_000, [], []);
    const next = Number(await conn.zscore(s.key, 'a:balance'));
    await s.postpone('a:balance', T0 + 21_000);
    expect(Number(await conn.zscore(s.key, 'a:balance'))).toBe(T0 + 21_000);
    const c = await s.claim(T0 + 21_000, 10, 25_000, ['a:balance'], []);
    expect(c.polls).toEqual([{ member: 'a:balance', dueMs: T0 + 21_000 }]);
    expect(Number(await conn.zscore(s.key, 'a:balance'))).toBe(next); // back on its grid
    await s.postpone('a:balance', next + 30_000);
    expect(Number(await conn.zscore(s.key, 'a:balance'))).toBe(next);
  });
});
