import type { Redis } from 'ioredis';
import { AlertStore } from '../src/alerts/alert-store';
import { CHART_FIELDS } from '../src/alerts/observe-rules';
import { ENDPOINT_DEFS, ENDPOINTS } from '../src/sendpulse/endpoints';
import { generateAccount } from '../src/simulator/default-accounts';
import { HistoryStore } from '../src/state/history-store';
import { ReadingStore } from '../src/state/reading-store';

/** What fillStatusState writes. */
export interface FillSpec {
  prefix: string;
  /** Accounts acct-00001 ... */
  accounts: number;
  /** History points per chart series (at most 121 are kept in production). */
  points: number;
  /** Runway window, ms (the points are spread over it). */
  windowMs: number;
  now: number;
}

/** The name of generated account `i` (as the simulator's `--generate` and the bench configs name them). */
export function accountName(i: number): string {
  return `acct-${String(i).padStart(5, '0')}`;
}

/**
 * Writes N accounts' state straight into Redis, as a monitor would have after a while: the three
 * endpoints' readings (the simulator's generated bodies read by the real parsers), the chart series
 * with `points` points each, and firing alerts (every 10th account critical on its balance, every
 * 7th warning on its e-mail tariff) with their states and headlines. For timing the status pages
 * without polling anything.
 */
export async function fillStatusState(redis: Redis, s: FillSpec): Promise<void> {
  const readings = new ReadingStore(redis, s.prefix);
  const history = new HistoryStore(redis, s.prefix, { windowMs: s.windowMs });
  const alerts = new AlertStore(redis, s.prefix);
  const step = s.windowMs / Math.max(1, s.points);
  for (let from = 1; from <= s.accounts; from += 500) {
    const pipe = redis.pipeline();
    for (let i = from; i < Math.min(s.accounts + 1, from + 500); i++) {
      const name = accountName(i);
      const sim = generateAccount(i, s.now);
      const bodies = { user_info: sim.userInfo, team: sim.team, balance: sim.balanceDetail };
      const hash: Record<string, string> = {};
      for (const e of ENDPOINTS) {
        Object.assign(hash, {
          [`${e}.reading`]: JSON.stringify(ENDPOINT_DEFS[e].parse(bodies[e], { timeZone: 'UTC' })),
          [`${e}.success`]: String(s.now - 30_000), [`${e}.attempt`]: String(s.now - 30_000), [`${e}.ok`]: '1', [`${e}.reason`]: '', [`${e}.unreadable`]: '',
        });
      }
      pipe.hset(readings.key(name), hash);
      for (const field of CHART_FIELDS) {
        const args: (string | number)[] = [];
        for (let k = 0; k < s.points; k++) {
          const at = Math.round(s.now - s.windowMs + k * step);
          args.push(at, `${at}:${1000 + ((i * 37 + k * 11) % 500) - k}`);
        }
        if (args.length > 0) pipe.zadd(history.key(name, field), ...args);
      }
      const fire = (rule: string, service: string, severity: 'warning' | 'critical', headline: string) => {
        const field = `${name}|${rule}|${service}`;
        pipe.hset(alerts.firingKey, field, severity);
        const f = AlertStore.field(rule, service);
        pipe.hset(alerts.accountKey(name), f, JSON.stringify({ severity, sinceMs: s.now - 3600_000, lastNotifiedMs: s.now - 3600_000, seq: 1 }), `${f}#v`, '1');
        pipe.hset(alerts.events.latestKey, field, JSON.stringify({ atMs: s.now - 3600_000, kind: 'firing', rule, service, severity, notification: `${name}.${rule}.${service}.1`, headline }));
      };
      if (i % 10 === 0) fire('balance', 'balance', 'critical', 'balance 1.00 USD is below 2 USD');
      if (i % 7 === 0) fire('tariffExpiry', 'email', 'warning', 'email tariff ends in 5d, less than 7d');
    }
    const res = (await pipe.exec()) ?? [];
    for (const [err] of res) if (err) throw err;
  }
}
