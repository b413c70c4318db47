import { Histogram, Registry } from 'prom-client';
import pino from 'pino';
import { PollRunner } from '../../../src/poller/poll-runner';
import type { Claim, PollSchedule } from '../../../src/poller/poll-schedule';

/** A schedule in memory: `due` members are handed out by claim(), as many as asked; the calls are recorded. */
function fakeSchedule(due: string[]) {
  const calls: { max: number; done: string[]; running: string[] }[] = [];
  const schedule = {
    claim: async (_now: number, max: number, _lease: number, done: readonly string[], running: readonly string[]): Promise<Claim> => {
      calls.push({ max, done: [...done], running: [...running] });
      const polls = due.splice(0, max).map((member) => ({ member, dueMs: Date.now() }));
      return { polls, nextDueMs: due.length > 0 ? Date.now() : null };
    },
  } as unknown as PollSchedule;
  return { schedule, calls };
}

const lag = () => new Histogram({ name: 'lag', help: 'x', registers: [new Registry()] });

describe('the poll runner', () => {
  it('never runs more polls at once than its concurrency, over every shard, and runs every claimed one', async () => {
    const runner = new PollRunner({ concurrency: 3, leaseMs: 25_000, pollLag: lag(), log: pino({ level: 'silent' }), claimEveryMs: 5 });
    let running = 0;
    let most = 0;
    const ran: string[] = [];
    const poll = async (account: string, endpoint: string) => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      ran.push(`${account}:${endpoint}`);
    };
    const a = fakeSchedule(Array.from({ length: 10 }, (_, i) => `a${i}:balance`));
    const b = fakeSchedule(Array.from({ length: 10 }, (_, i) => `b${i}:team`));
    const ia = runner.addShard({ schedule: a.schedule, poll });
    const ib = runner.addShard({ schedule: b.schedule, poll });
    const until = Date.now() + 1000;
    await Promise.all([runner.window(ia, until), runner.window(ib, until)]);
    await runner.close(1000);
    expect(most).toBe(3);
    expect(ran.sort()).toEqual([...Array.from({ length: 10 }, (_, i) => `a${i}:balance`), ...Array.from({ length: 10 }, (_, i) => `b${i}:team`)].sort());
    // Every finished poll's lease is ended (given back as done) by a later call.
    expect(a.calls.flatMap((c) => c.done).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `a${i}:balance`).sort());
    expect(Math.max(...a.calls.map((c) => c.max))).toBeLessThanOrEqual(3);
  });

  it('keeps one claim loop per shard: a second window extends the first instead of claiming beside it', async () => {
    const runner = new PollRunner({ concurrency: 4, leaseMs: 25_000, pollLag: lag(), log: pino({ level: 'silent' }), claimEveryMs: 10 });
    const s = fakeSchedule([]);
    const i = runner.addShard({ schedule: s.schedule, poll: async () => undefined });
    const t0 = Date.now();
    const first = runner.window(i, t0 + 100);
    expect(await runner.window(i, t0 + 300)).toBe(0);
    await first;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    // About one claim per 10 ms over 300 ms: one loop (two would make about twice as many).
    expect(s.calls.length).toBeLessThan(40);
    await runner.close(100);
  });

  it('on close, stops claiming and waits for the polls in flight, up to the grace period', async () => {
    const runner = new PollRunner({ concurrency: 2, leaseMs: 25_000, pollLag: lag(), log: pino({ level: 'silent' }) });
    let finished = 0;
    const s = fakeSchedule(['a:balance', 'b:balance', 'c:balance']);
    const i = runner.addShard({ schedule: s.schedule, poll: async () => { await new Promise((r) => setTimeout(r, 100)); finished++; } });
    const window = runner.window(i, Date.now() + 10_000);
    await new Promise((r) => setTimeout(r, 20));
    await runner.close(5000);
    await window;
    expect(finished).toBe(2); // the two in flight finished; the third was never claimed
    expect(s.calls[s.calls.length - 1].done.sort()).toEqual(['a:balance', 'b:balance']);
  });
});
