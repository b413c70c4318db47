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

/** Totals of the simulator's request counters (every request since it started or was cleared). */
export async function simCounts(simUrl: string): Promise<{ total: number; ok: number }> {
  const res = await request(`${simUrl}/_control/requests/counts`);
  const c = (await res.body.json()) as { total: number; byStatus: Record<string, number> };
  return { total: c.total, ok: c.byStatus['200'] ?? 0 };
}

/**
 * Reads the simulator's request log from `since` to `until` and compares it with the minimum: for each
 * (account, endpoint) seen, one request at its first poll and one per interval after it up to `until`
 * (for the token endpoint, one per token lifetime).
 */
export async function accountRequests(
  simUrl: string, since: number, until: number, accounts: number, intervalMs: Record<string, number>,
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
    byEndpoint[endpoint].minimum += 1 + Math.floor((until - t) / intervalMs[endpoint]);
  }
  const made = Object.values(byEndpoint).reduce((s, e) => s + e.made, 0);
  const minimum = Object.values(byEndpoint).reduce((s, e) => s + e.minimum, 0);
  const accountHours = (accounts * (until - since)) / 3_600_000;
  return { byEndpoint, made, minimum, madePerAccountHour: made / accountHours, minimumPerAccountHour: minimum / accountHours };
}
