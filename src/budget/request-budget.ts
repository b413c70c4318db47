import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { AccountConfig } from '../config/types';
import { BudgetExhaustedError } from '../errors';
import { SplitPipeline } from '../state/split-pipeline';
import { PENALIZE_SCRIPT, TAKE_SCRIPT, USAGE_SCRIPT } from './budget-scripts';

/** A budget window; `pause` is the wait after a 429. */
export type BudgetWindow = 'second' | 'minute' | 'day';

/** The windows in the order metrics and tables list them. */
export const BUDGET_WINDOWS: readonly BudgetWindow[] = ['second', 'minute', 'day'];

/** Requests counted in each window of one account. */
export type BudgetUsage = Record<BudgetWindow, number>;

/**
 * How long a request counts in each window, ms. Each is the nominal window plus a guard: the limiter
 * counts when a request is *sent*, SendPulse when it *arrives*, and two requests a window apart may
 * arrive closer than that after uneven network delays. 10 % of a second, 1 s of a minute or a day.
 */
export const WINDOW_SPAN_MS: Readonly<BudgetUsage> = { second: 1100, minute: 61_000, day: 86_401_000 };

/** Width of the day window's buckets; room in the day window comes back up to this late. */
export const DAY_BUCKET_MS = 60_000;

/** Pause after a 429 without Retry-After: a whole minute, since SendPulse's window start is unknown to us. */
export const DEFAULT_PAUSE_MS = 60_000;

/** Longest pause that consecutive 429s widen to (unless Retry-After asks for longer). */
export const MAX_PAUSE_MS = 15 * 60_000;

/** Options of RequestBudget; defaults next to each. */
export interface RequestBudgetOptions {
  /** Used with EVALSHA; scripts are defined on it (ioredis defineCommand). */
  redis: Redis | Cluster;
  /**
   * Key prefix, as `redis.prefix` in the config (e.g. `spm`), or the prefix of each account's shard
   * (src/state/shards.ts: `(a) => shards.prefixOf(a)`).
   */
  prefix: string | ((account: string) => string);
  /** Their `budget` holds the resolved limits. */
  accounts: AccountConfig[];
  /** Clock in ms; default: Redis' own TIME, so all replicas share one clock. */
  now?: () => number;
  /**
   * The key of an account's credential back-off (AuthBackoff.pauseKey): while it lives take() refuses
   * with window `credentials`, checked in the same script (no round trip of its own per poll).
   */
  pausedKey?: (account: string) => string;
}

type Limits = { second: number; minute: number; day: number };
type ScriptRedis = (Redis | Cluster) & {
  spmBudgetTake(...args: (string | number)[]): Promise<[number, string, number, number]>;
  spmBudgetUsage(...args: (string | number)[]): Promise<[number, number, number]>;
  spmBudgetPenalize(...args: (string | number)[]): Promise<[number, number]>;
};
/** A pipeline with the usage script defined on it (ioredis defineCommand adds it to pipelines too). */
type UsagePipeline = { spmBudgetUsage(...args: (string | number)[]): unknown };

/**
 * Per-account request budgets shared by every replica through Redis: sliding windows per second,
 * minute and day, and a pause after a 429. Every HTTP request to SendPulse, token requests
 * included, calls take() first; in any window span the account never gets more than its limit.
 *
 * Why a Lua script and not rate-limiter-flexible: its Redis limiters are fixed windows (INCR with a
 * TTL), which let 2x the limit through around a window boundary, and RateLimiterUnion consumes the
 * windows one by one without rolling back, so it is neither sliding nor atomic across three windows.
 */
export class RequestBudget {
  readonly #redis: ScriptRedis;
  readonly #prefix: (account: string) => string;
  readonly #now?: () => number;
  readonly #pausedKey?: (account: string) => string;
  readonly #limits = new Map<string, Limits>();
  /** Accounts whose last answer from Redis showed a 429 streak: only they need a reset on success. */
  readonly #streaks = new Set<string>();
  readonly #rateLimited = new Map<string, number>();
  readonly #instance = randomBytes(6).toString('hex');
  #seq = 0;

  constructor(opts: RequestBudgetOptions) {
    this.#redis = opts.redis as ScriptRedis;
    const prefix = opts.prefix;
    this.#prefix = typeof prefix === 'string' ? () => prefix : prefix;
    this.#now = opts.now;
    this.#pausedKey = opts.pausedKey;
    for (const a of opts.accounts) {
      // Floors: a share of 0.015 × 1000 is 15 per minute, never 15.x allowing a 16th.
      this.#limits.set(a.name, {
        second: Math.floor(a.budget.perSecond),
        minute: Math.floor(a.budget.perMinute),
        day: Math.floor(a.budget.perDay),
      });
      this.#rateLimited.set(a.name, 0);
    }
    const r = this.#redis;
    if (typeof r.spmBudgetTake !== 'function') r.defineCommand('spmBudgetTake', { lua: TAKE_SCRIPT });
    if (typeof r.spmBudgetUsage !== 'function') r.defineCommand('spmBudgetUsage', { numberOfKeys: 3, lua: USAGE_SCRIPT });
    if (typeof r.spmBudgetPenalize !== 'function') r.defineCommand('spmBudgetPenalize', { numberOfKeys: 2, lua: PENALIZE_SCRIPT });
  }

  /**
   * The Redis key of one of an account's budget structures. `{account}` is the hash tag only when the
   * prefix has none (a single Redis); on a cluster the prefix's own tag comes first and wins.
   * `minute` is the log of the last minute's requests, the second window included (versions before
   * 2026-12-07 also kept a `second` log; it expires within 1.1 s of an upgrade).
   */
  key(account: string, part: 'pause' | 'streak' | 'minute' | 'day' | 'daybuckets'): string {
    return `${this.#prefix(account)}:budget:{${account}}:${part}`;
  }

  /**
   * The hash of usage snapshots of `account`'s shard: field = account name, value
   * `<ms>:<second>:<minute>:<day>`, written by every request taken (budget-scripts.ts, TAKE_SCRIPT).
   */
  snapshotKey(account: string): string {
    return `${this.#prefix(account)}:budget:used`;
  }

  /** The limits enforced for `account` (floored), per window. */
  limits(account: string): Readonly<BudgetUsage> {
    const l = this.#limits.get(account);
    if (!l) throw new Error(`request budget: unknown account "${account}"`);
    return l;
  }

  /**
   * Takes one request slot in all windows of `account` at once, or none: throws
   * BudgetExhaustedError with the window and the ms until there is room (window `pause` after a 429).
   */
  async take(account: string): Promise<void> {
    const l = this.limits(account);
    const paused = this.#pausedKey ? [this.#pausedKey(account)] : [];
    const [taken, window, delayMs, streak] = await this.#redis.spmBudgetTake(6 + paused.length,
      ...this.#keys(account, 'pause', 'streak', 'minute', 'day', 'daybuckets'), this.snapshotKey(account), ...paused,
      this.#clock(), `${this.#instance}:${++this.#seq}`, l.second, l.minute, l.day,
      WINDOW_SPAN_MS.second, WINDOW_SPAN_MS.minute, WINDOW_SPAN_MS.day, DAY_BUCKET_MS, account,
    );
    if (streak > 0) this.#streaks.add(account);
    else this.#streaks.delete(account);
    if (taken !== 1) throw new BudgetExhaustedError(account, window, Math.max(1, delayMs));
  }

  /**
   * Records a 429 / error 2020202020: no request for `account` until Retry-After has passed, else a
   * minute; consecutive episodes double the pause up to MAX_PAUSE_MS. Returns the pause in ms.
   */
  async penalize(account: string, retryAfterMs?: number): Promise<number> {
    this.limits(account);
    const retry = retryAfterMs === undefined || !Number.isFinite(retryAfterMs) ? '' : Math.max(0, Math.ceil(retryAfterMs));
    const [pauseMs] = await this.#redis.spmBudgetPenalize(
      ...this.#keys(account, 'pause', 'streak'), this.#clock(), retry, DEFAULT_PAUSE_MS, MAX_PAUSE_MS,
    );
    this.#streaks.add(account);
    this.#rateLimited.set(account, (this.#rateLimited.get(account) ?? 0) + 1);
    return pauseMs;
  }

  /** Ends the account's 429 streak; no Redis write unless this replica saw a streak. */
  async succeeded(account: string): Promise<void> {
    if (!this.#streaks.has(account)) return;
    this.#streaks.delete(account);
    await this.#redis.del(this.key(account, 'streak'));
  }

  /** The requests counted now in each window of `account`, across all replicas. */
  async usage(account: string): Promise<BudgetUsage> {
    const all = await this.usageMany([account]);
    return all.get(account) as BudgetUsage;
  }

  /**
   * usage() for many accounts in one pipelined round trip (for the metrics scrape), one pipeline per
   * key prefix sent at once (SplitPipeline: shards may be on different masters of a cluster).
   */
  async usageMany(accounts: readonly string[]): Promise<Map<string, BudgetUsage>> {
    if (accounts.length === 0) return new Map();
    const now = this.#clock();
    const pipe = new SplitPipeline<string>(this.#redis);
    for (const a of accounts) {
      pipe.add(this.#prefix(a), (p) => (p as unknown as UsagePipeline).spmBudgetUsage(
        ...this.#keys(a, 'minute', 'day', 'daybuckets'), now,
        WINDOW_SPAN_MS.second, WINDOW_SPAN_MS.minute, WINDOW_SPAN_MS.day, DAY_BUCKET_MS,
      ));
    }
    const replies = await pipe.exec();
    return new Map(accounts.map((a, i) => {
      const [second, minute, day] = replies[i] as [number, number, number];
      return [a, { second, minute, day }];
    }));
  }

  /**
   * The usage of many accounts as of each one's last request, for the metrics scrape: one HGETALL of
   * the snapshots per shard (all shards at once) instead of every account's windows, so a scrape costs
   * Redis a command per shard rather than ~5 per account. Exact at the account's last request; after
   * it, a window that has passed since counts 0, one that has not still counts what it counted then (an
   * upper bound: its older requests may have left it). Accounts with no snapshot (no request taken
   * since this version started writing them) are read exactly with usageMany(). Fields of accounts
   * not in `accounts` (removed from the config, or moved to another shard) are deleted, so pass every
   * configured account. Clock: the injected one, else Redis' TIME, read in the same round trip.
   */
  async lastUsageMany(accounts: readonly string[]): Promise<Map<string, BudgetUsage>> {
    if (accounts.length === 0) return new Map();
    const keys = [...new Set(accounts.map((a) => this.snapshotKey(a)))];
    const pipe = new SplitPipeline<string>(this.#redis);
    for (const key of keys) pipe.add(key, (p) => p.hgetall(key));
    // The snapshots carry Redis' clock: their age is measured on it too (with the first shard's node).
    if (!this.#now) pipe.add(keys[0], (p) => p.time());
    const replies = await pipe.exec();
    const snapshots = new Map<string, Record<string, string>>(keys.map((k, i) => [k, replies[i] as Record<string, string>]));
    const time = replies[keys.length] as [string, string] | undefined;
    const now = this.#now ? Math.floor(this.#now()) : Number(time![0]) * 1000 + Math.floor(Number(time![1]) / 1000);
    await this.#dropStaleSnapshots(snapshots, new Set(accounts));
    const out = new Map<string, BudgetUsage>();
    const missing: string[] = [];
    for (const a of accounts) {
      const snap = snapshots.get(this.snapshotKey(a))?.[a];
      const parts = snap?.split(':').map(Number);
      if (!parts || parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) {
        missing.push(a);
        continue;
      }
      const [at, second, minute, day] = parts;
      const age = now - at;
      out.set(a, {
        second: age < WINDOW_SPAN_MS.second ? second : 0,
        minute: age < WINDOW_SPAN_MS.minute ? minute : 0,
        day: age < WINDOW_SPAN_MS.day + DAY_BUCKET_MS ? day : 0,
      });
    }
    if (missing.length > 0) for (const [a, u] of await this.usageMany(missing)) out.set(a, u);
    return new Map(accounts.map((a) => [a, out.get(a) as BudgetUsage]));
  }

  /** Deletes the snapshot fields of accounts not in `wanted` or not in that shard any more (removed from the config, moved by redis.shards). */
  async #dropStaleSnapshots(snapshots: ReadonlyMap<string, Record<string, string>>, wanted: ReadonlySet<string>): Promise<void> {
    const del = new SplitPipeline<string>(this.#redis);
    for (const [key, hash] of snapshots) {
      const stale = Object.keys(hash).filter((f) => !wanted.has(f) || this.snapshotKey(f) !== key);
      if (stale.length > 0) del.add(key, (p) => p.hdel(key, ...stale));
    }
    if (del.length > 0) await del.exec();
  }

  /** 429s / 2020202020s this process recorded per account (the per-process rate-limited counter). */
  rateLimitedCounts(): ReadonlyMap<string, number> {
    return this.#rateLimited;
  }

  /** The configured account names. */
  accounts(): string[] {
    return [...this.#limits.keys()];
  }

  #keys(account: string, ...parts: Parameters<RequestBudget['key']>[1][]): string[] {
    return parts.map((p) => this.key(account, p));
  }

  #clock(): number | string {
    return this.#now ? Math.floor(this.#now()) : '';
  }
}
