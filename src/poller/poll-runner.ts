import type { Histogram } from 'prom-client';
import type { Logger } from 'pino';
import { parseScheduleMember, type Claim, type PollSchedule } from './poll-schedule';

/** One shard as the runner sees it: its schedule and how to run one of its polls. */
export interface RunnerShard {
  schedule: PollSchedule;
  /**
   * Runs one poll of `account`'s `endpoint` (member `<account>:<endpoint>`); resolves when it is done
   * (stored, or postponed by the budget). A rejection is logged; the poll's run is used either way.
   */
  poll(account: string, endpoint: string, member: string): Promise<void>;
}

/** What the runner needs. */
export interface PollRunnerOptions {
  /** Polls at once in this process, over every shard (`worker.concurrency`). */
  concurrency: number;
  /** How long a claimed poll stays leased without renewal, ms; a killed replica's polls are taken over after it. */
  leaseMs: number;
  pollLag: Histogram;
  log: Logger;
  /**
   * Claims of one shard at most this often, ms, unless the last one filled every free slot: polls due in
   * between are claimed together (one script call for many polls) at most this late. Default 50.
   */
  claimEveryMs?: number;
}

interface ShardRun {
  shard: RunnerShard;
  /** Members whose poll finished since the last call to Redis (their leases end with the next one). */
  done: string[];
  /** Members in flight → how many polls of it (a slow poll may still run when the next run is due) and when last leased. */
  running: Map<string, { n: number; leasedAt: number }>;
  /** The end of the window this process is claiming in (ms epoch), or 0: one claim loop per shard and process. */
  until: number;
}

/**
 * Runs the polls of this process: lane windows claim due polls from a shard's schedule (as many as
 * there are free slots of `concurrency`, over all shards), start them, and claim again when a slot
 * frees or the next poll falls due, until the window ends. Polls outlive the window that claimed
 * them; their leases are renewed while they run (every third of the lease) and ended when they finish,
 * piggybacked on the next claim.
 */
export class PollRunner {
  readonly #o: PollRunnerOptions;
  readonly #shards: ShardRun[] = [];
  readonly #tasks = new Set<Promise<void>>();
  #inFlight = 0;
  /** Slots promised to claims under way (another shard's loop must not claim them too). */
  #reserved = 0;
  /** Sleeping windows: woken by a freed slot (those waiting for one) or by close (all). */
  #wake: { forSlot: boolean; shard: ShardRun; fn: () => void }[] = [];
  #closing = false;
  readonly #upkeep: NodeJS.Timeout;

  constructor(o: PollRunnerOptions) {
    this.#o = o;
    // Leases of long polls are renewed, and finished ones ended, even while no window runs here.
    this.#upkeep = setInterval(() => {
      for (const s of this.#shards) {
        if (s.done.length === 0 && this.#renewable(s, Date.now()).length === 0) continue;
        this.#call(s, 0).catch((err: Error) => o.log.debug({ err: err.message }, 'poll lease upkeep failed'));
      }
    }, Math.max(50, Math.floor(o.leaseMs / 3)));
    this.#upkeep.unref();
  }

  /** Adds a shard; returns its index for window(). */
  addShard(shard: RunnerShard): number {
    this.#shards.push({ shard, done: [], running: new Map(), until: 0 });
    return this.#shards.length - 1;
  }

  /** Polls in flight in this process. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * One lane window on shard `index`: claims and starts due polls until `untilMs` (ms epoch) or until
   * the runner closes. Resolves with the number of polls it started (they may still run). When this
   * process is already claiming on the shard, that loop is extended to `untilMs` instead (resolves 0 at once).
   */
  async window(index: number, untilMs: number): Promise<number> {
    const s = this.#shards[index];
    if (s.until > 0) {
      s.until = Math.max(s.until, untilMs);
      return 0;
    }
    s.until = untilMs;
    const every = this.#o.claimEveryMs ?? 50;
    let started = 0;
    try {
      while (!this.#closing) {
        const now = Date.now();
        if (now >= s.until) break;
        const free = Math.max(0, this.#o.concurrency - this.#inFlight - this.#reserved);
        this.#reserved += free;
        let claim: Claim;
        try {
          claim = await this.#call(s, free);
        } finally {
          this.#reserved -= free;
        }
        // Slots reserved but not claimed are free again for another shard's loop waiting for one.
        if (claim.polls.length < free) this.#wakeForSlot();
        for (const p of claim.polls) {
          if (p.dueMs > 0) this.#o.pollLag.observe(Math.max(0, now - p.dueMs) / 1000);
          this.#start(s, p.member);
        }
        started += claim.polls.length;
        // Every free slot filled: more may be due at once. Full: wait for a slot. Otherwise nothing else
        // is due before the next due time; claim then, or a little later with whatever fell due meanwhile.
        const full = this.#inFlight + this.#reserved >= this.#o.concurrency;
        if (!full && free > 0 && claim.polls.length === free) continue;
        // Full: a loop waiting for slots is woken when a quarter of them are free (claims stay batched
        // under saturation), or after `every` at the latest.
        const wakeAt = full ? Math.min(s.until, now + every)
          : claim.nextDueMs === null ? s.until : Math.min(s.until, Math.max(claim.nextDueMs, now + every));
        await this.#sleep(s, wakeAt, full);
      }
    } finally {
      s.until = 0;
    }
    return started;
  }

  /** Stops claiming; waits for the polls in flight up to `graceMs`, then ends the leases of those that finished. */
  async close(graceMs: number): Promise<void> {
    this.#closing = true;
    clearInterval(this.#upkeep);
    for (const w of this.#wake.splice(0)) w.fn();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#tasks]),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); }),
    ]);
    clearTimeout(timer);
    // Polls still running past the grace keep their leases: another replica takes them over when they expire.
    await Promise.all(this.#shards.filter((s) => s.done.length > 0).map((s) => this.#call(s, 0).catch(() => undefined)));
  }

  #renewable(s: ShardRun, now: number): string[] {
    const out: string[] = [];
    for (const [member, r] of s.running) if (now - r.leasedAt >= this.#o.leaseMs / 3) out.push(member);
    return out;
  }

  async #call(s: ShardRun, max: number) {
    const now = Date.now();
    const done = s.done.splice(0);
    const renew = this.#renewable(s, now);
    try {
      const claim = await s.shard.schedule.claim(now, max, this.#o.leaseMs, done, renew);
      for (const m of renew) {
        const r = s.running.get(m);
        if (r) r.leasedAt = now;
      }
      return claim;
    } catch (err) {
      s.done.push(...done); // ended with the next call that reaches Redis
      throw err;
    }
  }

  #start(s: ShardRun, member: string): void {
    this.#inFlight++;
    const r = s.running.get(member);
    if (r) {
      r.n++;
      r.leasedAt = Date.now();
    } else {
      s.running.set(member, { n: 1, leasedAt: Date.now() });
    }
    const { account, endpoint } = parseScheduleMember(member);
    const task = s.shard.poll(account, endpoint, member)
      .catch((err: Error) => this.#o.log.error({ err: err.message, account, endpoint }, 'poll failed unexpectedly'))
      .finally(() => {
        this.#inFlight--;
        const cur = s.running.get(member);
        if (cur && --cur.n === 0) {
          s.running.delete(member);
          s.done.push(member);
        }
        this.#tasks.delete(task);
        this.#wakeForSlot();
      });
    this.#tasks.add(task);
  }

  #wakeForSlot(): void {
    const free = this.#o.concurrency - this.#inFlight - this.#reserved;
    if (free < Math.max(1, Math.floor(this.#o.concurrency / 4))) return;
    const woken = this.#wake.filter((w) => w.forSlot);
    if (woken.length === 0) return;
    this.#wake = this.#wake.filter((w) => !w.forSlot);
    for (const w of woken) w.fn();
  }

  /**
   * Makes shard `index`'s claim loop in this process (if one runs) claim at once: polls were just made
   * due (PollSchedule.pollNow). Without a loop here, the next lane window claims them (within LANE_TICK_MS).
   */
  nudge(index: number): void {
    const s = this.#shards[index];
    const woken = this.#wake.filter((w) => w.shard === s);
    this.#wake = this.#wake.filter((w) => w.shard !== s);
    for (const w of woken) w.fn();
  }

  /** Until `atMs`, or a slot frees (when `forSlot`), or a nudge, or the runner closes. */
  #sleep(s: ShardRun, atMs: number, forSlot: boolean): Promise<void> {
    if (this.#closing) return Promise.resolve();
    return new Promise((resolve) => {
      const waker = { forSlot, shard: s, fn: () => { clearTimeout(timer); resolve(); } };
      const timer = setTimeout(() => {
        this.#wake = this.#wake.filter((w) => w !== waker);
        resolve();
      }, Math.max(0, atMs - Date.now()));
      this.#wake.push(waker);
    });
  }
}
