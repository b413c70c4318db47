import type { Cluster, Redis } from 'ioredis';

/** A series kept: the path of a reading's field (`balance.main`, `smtp.email_qty_left`). */
export type HistorySeries = string;

/** Key names of the series version 0.1 kept, so that an upgrade keeps their history (a runway needs 42 h of it). */
const LEGACY_KEY: Record<string, string> = { 'balance.main': 'balance', 'email.emails_left': 'emailsLeft' };

/** Points per runway window at the default step: under Redis' default zset-max-listpack-entries (128). */
export const HISTORY_POINTS = 120;

/** A value at a time (ms epoch). */
export interface HistoryPoint {
  atMs: number;
  value: number;
}

/** Options of a HistoryStore. */
export interface HistoryStoreOptions {
  /** How far back points are kept and fitted, ms (alerts.runwayWindow; default 7d). */
  windowMs: number;
  /**
   * Least spacing between kept points, ms; default windowMs / HISTORY_POINTS (84 min for 7 days), so
   * a series holds at most 121 points and Redis keeps it as a listpack: about 4 KB, where 337 points
   * (the step of version 0.1) made a skiplist of about 47 KB (measured on Redis 7.0, whose
   * zset-max-listpack-entries is 128). Every account keeps at least three series.
   */
  stepMs?: number;
  /** Fewest points a forecast needs; default 3. */
  minPoints?: number;
  /** Shortest span the points must cover, as a fraction of windowMs; default 0.25 (42 h for 7 days). */
  minSpanFraction?: number;
}

/**
 * A compact history of the balance, the e-mail and SMTP credits and the fields the alert rules watch
 * (src/alerts/observe-rules.ts, historyFields) per account in Redis (one sorted set per series, at most one point per
 * step over the runway window) and the runway forecast from it: the least-squares slope over the
 * window, extrapolated to zero.
 */
export class HistoryStore {
  readonly windowMs: number;
  readonly stepMs: number;
  readonly minPoints: number;
  readonly minSpanMs: number;

  constructor(private readonly redis: Redis | Cluster, private readonly prefix: string, opts: HistoryStoreOptions) {
    this.windowMs = opts.windowMs;
    this.stepMs = opts.stepMs ?? Math.max(1000, Math.floor(opts.windowMs / HISTORY_POINTS));
    this.minPoints = opts.minPoints ?? 3;
    this.minSpanMs = this.windowMs * (opts.minSpanFraction ?? 0.25);
  }

  /** The Redis key of one series. */
  key(account: string, series: HistorySeries): string {
    return `${this.prefix}:hist:${account}:${LEGACY_KEY[series] ?? series}`;
  }

  // Points are added with a good poll, in its save script (ReadingStore.saveSuccess, HistoryWrites).

  /** The points within the window ending at `now`, oldest first. */
  async points(account: string, series: HistorySeries, now: number): Promise<HistoryPoint[]> {
    const members = await this.redis.zrangebyscore(this.key(account, series), now - this.windowMs, '+inf');
    return members.map(decodeHistoryPoint);
  }

  /** points() of several (account, series) pairs in one pipelined round trip, in the given order. */
  async pointsMany(wanted: readonly { account: string; series: HistorySeries }[], now: number): Promise<HistoryPoint[][]> {
    if (wanted.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const w of wanted) pipe.zrangebyscore(this.key(w.account, w.series), now - this.windowMs, '+inf');
    const res = (await pipe.exec()) ?? [];
    return res.map(([err, members]) => {
      if (err) throw err;
      return (members as string[]).map(decodeHistoryPoint);
    });
  }

  /** The newest `n` points, oldest first. */
  async recent(account: string, series: HistorySeries, n: number): Promise<HistoryPoint[]> {
    const members = await this.redis.zrange(this.key(account, series), -n, -1);
    return members.map(decodeHistoryPoint);
  }

  /**
   * Ms until the series reaches zero at the rate seen over the window: null without enough history
   * (fewer than minPoints points or a span shorter than minSpanMs), Infinity when it is not falling.
   */
  async runway(account: string, series: HistorySeries, current: number, now: number): Promise<number | null> {
    return runwayFrom(await this.points(account, series, now), current, this.minPoints, this.minSpanMs);
  }
}

/** A point from its sorted-set member, "<ms>:<value>" (the time keeps equal values at different times distinct). */
export function decodeHistoryPoint(m: string): HistoryPoint {
  const i = m.indexOf(':');
  return { atMs: Number(m.slice(0, i)), value: Number(m.slice(i + 1)) };
}

/** The least-squares slope (units per ms) of the points, or null with fewer than two distinct times. */
export function leastSquaresSlope(points: readonly HistoryPoint[]): number | null {
  if (points.length < 2) return null;
  const t0 = points[0].atMs;
  // Values are taken relative to the first one, so a flat series (9.36 at every point) gives exactly
  // 0 and not the float noise of averaging 9.36s, whose tiny slope read as a runway of 10^36 ms.
  const v0 = points[0].value;
  const n = points.length;
  const mx = points.reduce((a, p) => a + (p.atMs - t0), 0) / n;
  const my = points.reduce((a, p) => a + (p.value - v0), 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    const dx = p.atMs - t0 - mx;
    sxy += dx * (p.value - v0 - my);
    sxx += dx * dx;
  }
  return sxx === 0 ? null : sxy / sxx;
}

/** A runway past this is "not being used up": no rule or page can act on a forecast a century away. */
const NEVER_MS = 100 * 365 * 86_400_000;

/** The runway forecast from points (see HistoryStore.runway); pure. */
export function runwayFrom(points: readonly HistoryPoint[], current: number, minPoints: number, minSpanMs: number): number | null {
  if (points.length < minPoints || points[points.length - 1].atMs - points[0].atMs < minSpanMs) return null;
  const slope = leastSquaresSlope(points);
  if (slope === null) return null;
  if (current <= 0) return 0;
  if (slope >= 0) return Infinity;
  const runway = current / -slope;
  return runway > NEVER_MS ? Infinity : runway;
}
