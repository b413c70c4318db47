import type { Redis } from 'ioredis';
import { request } from 'undici';

/** Requests the simulator received, per endpoint: made, and the fewest that the schedule needs. */
export interface RequestAccounting {
  byEndpoint: Record<string, { made: number; minimum: number; failed: number }>;
  made: number;
  minimum: number;
  /** Both per account-hour over the run's span. */
  madePerAccountHour: number;
  minimumPerAccountHour: number;
}

interface Rec { time: number; account: string | null; endpoint: string; status: number }

/**
 * The first due time of every poll of `accounts` × `endpoints`, read from the poll schedule
 * (`<prefix>:schedule:every`, member `<account>:<endpoint>` → `<interval ms>:<first run ms>`:
 * src/poller/poll-schedule.ts), keyed `account\0endpoint`.
 */
export async function schedulerStarts(redis: Redis, prefix: string, accounts: readonly string[], endpoints: readonly string[]): Promise<Map<string, number>> {
  const keys: string[] = [];
  const members: string[] = [];
  for (const a of accounts) for (const e of endpoints) {
    keys.push(`${a}\u0000${e}`);
    members.push(`${a}:${e}`);
  }
  const out = new Map<string, number>();
  for (let i = 0; i < members.length; i += 1000) {
    const specs = await redis.hmget(`${prefix}:schedule:every`, ...members.slice(i, i + 1000));
    specs.forEach((v, j) => {
      const first = v === null ? NaN : Number(v.split(':')[1]);
      if (Number.isFinite(first)) out.set(keys[i + j], first);
    });
  }
  return out;
}

/** Totals of the simulator's request counters (every request since it started or was cleared). */
export async function simCounts(simUrl: string): Promise<{ total: number; ok: number }> {
  const res = await request(`${simUrl}/_control/requests/counts`);
  const c = (await res.body.json()) as { total: number; byStatus: Record<string, number> };
  return { total: c.total, ok: c.byStatus['200'] ?? 0 };
}

/**
 * Reads the simulator's request log from `since` to `until` and compares it with the minimum: for each
 * (account, endpoint) seen, the runs its schedule had due up to `until` when `firstDue` knows its
 * first due time (`account\0endpoint` → ms: a poll runs at first + k × interval, whenever the previous
 * run actually started), else one request at its first poll and one per interval after it
 * (the token endpoint: one per token lifetime). Counting from the first *request* instead of the first
 * *due time* under-counts every account whose first poll started late in the start-up burst: its
 * second poll comes less than an interval after its first, on the scheduler's grid (that was run B's
 * 1.022 at 10,000 accounts).
 */
export async function accountRequests(
  simUrl: string, since: number, until: number, accounts: number, intervalMs: Record<string, number>,
  firstDue: ReadonlyMap<string, number> = new Map(),
): Promise<RequestAccounting> {
  const res = await request(`${simUrl}/_control/requests?since=${since}&until=${until}`);
  const { requests } = (await res.body.json()) as { requests: Rec[] };
  const first = new Map<string, number>();
  const byEndpoint: RequestAccounting['byEndpoint'] = {};
  for (const r of requests) {
    const e = (byEndpoint[r.endpoint] ??= { made: 0, minimum: 0, failed: 0 });
    e.made++;
    if (r.status !== 200) e.failed++;
    const key = `${r.account}\u0000${r.endpoint}`;
    if (!first.has(key)) first.set(key, r.time);
  }
  for (const [key, t] of first) {
    const endpoint = key.slice(key.indexOf('\u0000') + 1);
    const due = firstDue.get(key);
    byEndpoint[endpoint].minimum += due === undefined
      ? 1 + Math.floor((until - t) / intervalMs[endpoint])
      : due > until ? 0 : 1 + Math.floor((until - due) / intervalMs[endpoint]);
  }
  const made = Object.values(byEndpoint).reduce((s, e) => s + e.made, 0);
  const minimum = Object.values(byEndpoint).reduce((s, e) => s + e.minimum, 0);
  const accountHours = (accounts * (until - since)) / 3_600_000;
  return { byEndpoint, made, minimum, madePerAccountHour: made / accountHours, minimumPerAccountHour: minimum / accountHours };
}
