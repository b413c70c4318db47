import type { RequestRecord } from '../../src/simulator/types';
import type { FaultKind, FaultRecord, ValueSet } from './faults';
import type { Delivery } from './receivers';
import { STALL_MS, type HarnessStall, type HealthProbe, type SeenValue } from './recorder';
import type { ReplicaLife } from './replica';
import { BALANCE_INTERVAL_MS, BALANCE_VALUE, BUDGET, KNOB_ALERT, KNOBS, type Knob, type Level } from './world';

/** Everything recorded during a run that the invariants read. */
export interface History {
  startedAt: number;
  /** When the last fault was healed (the drain began). */
  faultsEndedAt: number;
  endedAt: number;
  accounts: string[];
  requests: RequestRecord[];
  faults: FaultRecord[];
  sets: ValueSet[];
  health: HealthProbe[];
  seen: SeenValue[];
  channels: Record<string, Delivery[]>;
  replicas: { index: number; lives: ReplicaLife[]; log: string }[];
  harnessErrors: string[];
  /** The harness's own event-loop stalls (absent in runs recorded before they were). */
  harnessStalls?: HarnessStall[];
}

/** One invariant's outcome: its figure for the report, and each violation found. */
export interface InvariantResult {
  name: string;
  ok: boolean;
  figure: string;
  violations: string[];
}

// ---- the stated bounds -------------------------------------------------------------------------
/** Arrival jitter allowed when counting sliding windows from the simulator's arrival times, ms. */
export const WINDOW_JITTER_MS = 100;
/** A request may still arrive this long after a 429 (in flight on another replica before the pause was written), ms. */
export const PAUSE_GRACE_MS = 1000;
/** A value change reaches /metrics of every live replica within the balance interval plus this, ms. */
export const FRESH_BOUND_MS = 6000;
/** The same, for a change made within 30 s after a replica was killed or paused: its claimed polls are taken over when their leases run out (25 s). */
export const FRESH_AFTER_KILL_BOUND_MS = 30_000;
/** Polling of the hit accounts resumes within this after a fault ends, ms (per kind; a 429 storm's also after the pause it left running). */
export const RESUME_BOUND_MS: Partial<Record<FaultKind, number>> = {
  'kill-replica': 30_000, 'term-replica': 30_000, 'kill-all': 30_000, 'pause-replica': 35_000,
  'sentinel-failover': 20_000, 'kill-master': 20_000, 'redis-restart': 20_000, 'redis-wipe': 40_000,
  'api-5xx': 15_000, 'api-html': 15_000, 'api-reset': 15_000, 'api-timeout': 15_000, 'api-401': 25_000,
  'api-429-storm': 15_000, 'api-odd-fields': 15_000, 'api-truncated': 15_000,
};
/** A notification being sent when Redis was wiped may still arrive this long after, ms. */
export const IN_FLIGHT_MS = 5000;
/** A duplicate delivery is in the documented window when a replica was killed, paused or Redis lost writes this close to the first delivery, ms. */
export const DUPLICATE_WINDOW_MS = 5000;
/** RSS growth allowed for a long-lived replica between its third minute and its last minute. */
export const RSS_GROWTH_LIMIT_BYTES = 25 * 1024 * 1024;
/** A replica life counts as long-lived from this length on, ms. */
export const LONG_LIFE_MS = 4 * 60_000;

const PROCESS_FAULTS: FaultKind[] = ['kill-replica', 'term-replica', 'kill-all', 'pause-replica'];
const REDIS_FAULTS: FaultKind[] = ['sentinel-failover', 'kill-master', 'redis-restart', 'redis-wipe'];
const SPOILING: FaultKind[] = ['api-odd-fields', 'api-truncated'];

function overlaps(f: FaultRecord, from: number, to: number): boolean {
  return f.start <= to && (f.end ?? Infinity) >= from;
}
function any(h: History, kinds: FaultKind[], from: number, to: number, account?: string): FaultRecord | undefined {
  return h.faults.find((f) => kinds.includes(f.kind) && overlaps(f, from, to) && (account === undefined || f.accounts.length === 0 || f.accounts.includes(account)));
}
function apiFaults(h: History, account: string, from: number, to: number): FaultRecord | undefined {
  return h.faults.find((f) => f.accounts.includes(account) && overlaps(f, from, to));
}
function pct(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const at = (h: History, t: number) => `t+${sec(t - h.startedAt)}`;

/** A harness stall that ended within [from, to] (the arrivals stamped at its end), if any. */
function stalledIn(h: History, from: number, to: number): HarnessStall | undefined {
  return h.harnessStalls?.find((s) => s.at + s.ms >= from - WINDOW_JITTER_MS && s.at + s.ms <= to + WINDOW_JITTER_MS);
}

/** Most requests of one account in any window of `spanMs` (sorted times), and where it starts. */
function maxInWindow(times: number[], spanMs: number): [number, number] {
  let best = 0;
  let where = 0;
  let j = 0;
  for (let i = 0; i < times.length; i++) {
    while (times[i] - times[j] >= spanMs) j++;
    if (i - j + 1 > best) { best = i - j + 1; where = times[j]; }
  }
  return [best, where];
}

/** Budget: no sliding second or minute over the account's limit; nothing sent during a 429 pause. */
export function checkBudget(h: History): InvariantResult[] {
  const byAccount = new Map<string, number[]>();
  for (const r of h.requests) if (r.account) (byAccount.get(r.account) ?? byAccount.set(r.account, []).get(r.account)!).push(r.time);
  const windows: InvariantResult = { name: 'budget: sliding windows', ok: true, figure: '', violations: [] };
  let worstSecond = 0;
  let worstMinute = 0;
  let exempt = 0;
  let exemptStall = 0;
  for (const [account, times] of byAccount) {
    times.sort((a, b) => a - b);
    for (const [span, limit, name] of [[1000, BUDGET.perSecond, 'second'], [60_000, BUDGET.perMinute, 'minute']] as const) {
      // Windows are checked one by one so a window over Redis losing its data (the budget log with it) is exempt, not hidden.
      let j = 0;
      let worst = 0;
      for (let i = 0; i < times.length; i++) {
        while (times[i] - times[j] >= span - WINDOW_JITTER_MS) j++;
        const n = i - j + 1;
        if (n <= limit) { worst = Math.max(worst, n); continue; }
        // Redis lost budget entries: its data (wipe), a crashed master's last writes, or the writes the old
        // master took in the second between a promotion and +switch-master (asynchronous replication).
        if (any(h, ['redis-wipe', 'kill-master', 'sentinel-failover'], times[j] - span, times[i])) { exempt++; continue; }
        // The harness stalled: requests sent during it were all stamped at its end (the simulator shares its loop).
        if (stalledIn(h, times[j], times[i])) { exemptStall++; continue; }
        worst = Math.max(worst, n);
        windows.violations.push(`${account}: ${n} requests within ${span - WINDOW_JITTER_MS} ms at ${at(h, times[j])} (limit ${limit} per ${name})`);
      }
      if (name === 'second') worstSecond = Math.max(worstSecond, worst); else worstMinute = Math.max(worstMinute, worst);
    }
  }
  windows.ok = windows.violations.length === 0;
  windows.figure = `busiest second ${worstSecond}/${BUDGET.perSecond}, busiest minute ${worstMinute}/${BUDGET.perMinute} over ${byAccount.size} accounts`
    + `${exempt ? `; ${exempt} windows over a Redis data loss or failover exempt` : ''}`
    + `${exemptStall ? `; ${exemptStall} windows ending a harness stall exempt` : ''}`;

  const pause: InvariantResult = { name: 'budget: silence during 429 pauses', ok: true, figure: '', violations: [] };
  let pauses = 0;
  let pausedMs = 0;
  let exemptPauses = 0;
  const unplanned = h.requests.filter((r) => r.status === 429 && !h.faults.some((f) => f.kind === 'api-429-storm' && r.account && f.accounts.includes(r.account) && overlaps(f, r.time, r.time))).length;
  for (const f of h.faults.filter((x) => x.kind === 'api-429-storm')) {
    for (const account of f.accounts) {
      const reqs = h.requests.filter((r) => r.account === account && r.time >= f.start && r.time <= (f.end ?? Infinity) + 1);
      for (const r of reqs.filter((x) => x.status === 429)) {
        pauses++;
        const from = r.time + PAUSE_GRACE_MS;
        const to = r.time + (f.retryAfterS ?? 0) * 1000 - WINDOW_JITTER_MS;
        pausedMs += Math.max(0, to - from);
        if (any(h, [...PROCESS_FAULTS, ...REDIS_FAULTS], r.time - PAUSE_GRACE_MS, to)) { exemptPauses++; continue; }
        const inside = h.requests.filter((x) => x.account === account && x.time > from && x.time < to);
        if (inside.length > 0) pause.violations.push(`${account}: ${inside.length} request(s) during the ${f.retryAfterS} s pause after the 429 at ${at(h, r.time)} (first at +${inside[0].time - r.time} ms)`);
      }
    }
  }
  if (unplanned > 0) pause.violations.push(`${unplanned} 429(s) from the simulator's own quota: the monitor went over SendPulse's limits`);
  pause.ok = pause.violations.length === 0;
  pause.figure = `${pauses} answers of 429 checked (${exemptPauses} with a replica or Redis fault at the same time exempt), 0 requests allowed in ${sec(pausedMs)} of pauses; ${unplanned} 429s not injected`;
  return [windows, pause];
}

/** Freshness: a balance change shows in /metrics of every live replica within interval + bound, unless that account or Redis was faulted. */
export function checkFreshness(h: History): InvariantResult {
  const res: InvariantResult = { name: 'freshness', ok: true, figure: '', violations: [] };
  const lat: number[] = [];
  const latAfterKill: number[] = [];
  let exempt = 0;
  let tooShort = 0;
  const sets = h.sets.filter((s) => s.knob === 'balance');
  const seenBy = new Map<string, SeenValue[]>();
  for (const s of h.seen) (seenBy.get(`${s.replica}/${s.account}`) ?? seenBy.set(`${s.replica}/${s.account}`, []).get(`${s.replica}/${s.account}`)!).push(s);
  for (const s of sets) {
    const next = sets.find((x) => x.account === s.account && x.at > s.at);
    const afterKill = any(h, PROCESS_FAULTS, s.at - FRESH_AFTER_KILL_BOUND_MS, s.at + BALANCE_INTERVAL_MS + FRESH_BOUND_MS) !== undefined;
    const bound = BALANCE_INTERVAL_MS + (afterKill ? FRESH_AFTER_KILL_BOUND_MS : FRESH_BOUND_MS);
    const deadline = s.at + bound;
    if (next && next.at < deadline) { tooShort++; continue; }
    if (deadline > h.endedAt) { tooShort++; continue; }
    if (apiFaults(h, s.account, s.at - 25_000, deadline) || any(h, REDIS_FAULTS, s.at - 10_000, deadline)) { exempt++; continue; }
    const want = BALANCE_VALUE[s.level];
    for (const r of h.replicas) {
      // Only a replica that was up (and not paused) the whole time can be held to it.
      const life = r.lives.find((l) => l.startedAt + 8000 <= s.at && (l.endedAt ?? Infinity) >= deadline);
      if (!life || any(h, ['pause-replica'], s.at, deadline) && h.faults.some((f) => f.kind === 'pause-replica' && f.target === `replica ${r.index}` && overlaps(f, s.at, deadline))) { exempt++; continue; }
      const seen = seenBy.get(`${r.index}/${s.account}`) ?? [];
      const before = [...seen].reverse().find((x) => x.at <= s.at);
      const first = seen.find((x) => x.at > s.at && x.value === want);
      const shownAlready = before?.value === want && !seen.some((x) => x.at > s.at && x.at <= (first?.at ?? deadline) && x.value !== want);
      const latency = shownAlready ? 0 : first ? first.at - s.at : Infinity;
      (afterKill ? latAfterKill : lat).push(latency);
      if (latency > bound) res.violations.push(`${s.account} balance ${want} set at ${at(h, s.at)}: replica ${r.index} showed it ${Number.isFinite(latency) ? `after ${sec(latency)}` : 'never'} (bound ${sec(bound)})`);
    }
  }
  res.ok = res.violations.length === 0;
  const fin = (xs: number[]) => xs.filter(Number.isFinite);
  res.figure = `${lat.length + latAfterKill.length} (change, replica) pairs checked: p50 ${sec(pct(fin(lat), 50))}, p99 ${sec(pct(fin(lat), 99))}, max ${sec(Math.max(0, ...fin(lat)))} `
    + `(bound ${sec(BALANCE_INTERVAL_MS + FRESH_BOUND_MS)}); ${latAfterKill.length} after a replica kill/pause: max ${sec(Math.max(0, ...fin(latAfterKill)))} (bound ${sec(BALANCE_INTERVAL_MS + FRESH_AFTER_KILL_BOUND_MS)}); `
    + `${exempt} exempt (account or Redis faulted, replica down), ${tooShort} held too briefly`;
  return res;
}

function collapse<T>(xs: T[]): T[] {
  return xs.filter((x, i) => i === 0 || x !== xs[i - 1]);
}
/** Whether `sub` appears in `seq` in order (not necessarily adjacent). */
function isSubsequence<T>(sub: T[], seq: T[]): boolean {
  let j = 0;
  for (const x of seq) if (j < sub.length && x === sub[j]) j++;
  return j === sub.length;
}

/** The index of the first of the sorted `ts` at or after `t` (ts.length when none). */
function firstAtOrAfter(ts: number[], t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid] < t) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** Notifications: every transition of a moved value reaches each channel, in order, duplicates only in the documented window, none that did not happen. */
export function checkNotifications(h: History): InvariantResult[] {
  const wipes = h.faults.filter((f) => f.kind === 'redis-wipe').map((f) => f.start);
  const epochOf = (t: number) => wipes.filter((w) => w <= t).length;
  const seqOf = (d: Delivery) => Number(/\.(\d+)$/.exec(d.id)?.[1]);
  /**
   * The epoch each of one alert's deliveries (in arrival order) was made in: by arrival, except that a
   * send in flight when Redis was wiped can land just after: ids restart at 1 in a new epoch, so a
   * number above 1 arriving before the new epoch's first is the old epoch's.
   */
  const epochsOf = (ds: Delivery[]) => {
    const started = new Set<number>();
    return ds.map((d) => {
      const e = epochOf(d.at);
      if (e > 0 && !started.has(e) && seqOf(d) > 1 && d.at - wipes[e - 1] <= IN_FLIGHT_MS) return e - 1;
      started.add(e);
      return e;
    });
  };
  const epochs = wipes.length + 1;
  const epochStart = (e: number) => (e === 0 ? h.startedAt : wipes[e - 1]);
  const epochEnd = (e: number) => (e < wipes.length ? wipes[e] : Infinity);
  // Good balance polls per account, sorted, counted by binary search: this runs every few seconds of the drain.
  const good = new Map<string, number[]>();
  for (const r of h.requests) {
    if (r.endpoint !== 'balance' || r.status !== 200 || !r.account || any(h, SPOILING, r.time, r.time, r.account)) continue;
    (good.get(r.account) ?? good.set(r.account, []).get(r.account)!).push(r.time);
  }
  for (const ts of good.values()) ts.sort((a, b) => a - b);
  const goodPolls = (account: string, from: number, to: number) => {
    const ts = good.get(account) ?? [];
    return firstAtOrAfter(ts, to) - firstAtOrAfter(ts, from);
  };

  // The chains of levels the monitor must have seen (two good polls while held) and may have seen (one), per epoch.
  const chains = new Map<string, { must: Level[]; may: Level[] }[]>();
  for (const account of h.accounts) {
    for (const knob of KNOBS) {
      const sets = h.sets.filter((s) => s.account === account && s.knob === knob);
      const perEpoch: { must: Level[]; may: Level[] }[] = [];
      for (let e = 0; e < epochs; e++) {
        const must: Level[] = ['ok'];
        const may: Level[] = ['ok'];
        const inForce = [...sets].reverse().find((s) => s.at <= epochStart(e));
        const list = [...(inForce && e > 0 ? [{ ...inForce, at: epochStart(e) }] : []), ...sets.filter((s) => s.at > epochStart(e) && s.at < epochEnd(e))];
        list.forEach((s, i) => {
          const until = Math.min(list[i + 1]?.at ?? h.endedAt, epochEnd(e));
          const n = goodPolls(account, s.at, until);
          if (n >= 2) must.push(s.level);
          if (n >= 1) may.push(s.level);
        });
        perEpoch.push({ must: collapse(must), may: collapse(may) });
      }
      chains.set(`${account}.${KNOB_ALERT[knob as Knob]}`, perEpoch);
    }
  }

  const out: InvariantResult[] = [];
  for (const [channel, deliveries] of Object.entries(h.channels)) {
    const res: InvariantResult = { name: `notifications: ${channel}`, ok: true, figure: '', violations: [] };
    let transitions = 0;
    let dupKill = 0;
    let dupCrash = 0;
    let dupOther = 0;
    let lostInWipe = 0;
    let other = 0;
    const byAlert = new Map<string, Delivery[]>();
    for (const d of deliveries) {
      const key = d.id.replace(/\.\d+$/, '');
      (byAlert.get(key) ?? byAlert.set(key, []).get(key)!).push(d);
      if (!/\.\d+$/.test(d.id) || d.severity.startsWith('?')) res.violations.push(`unreadable delivery at ${at(h, d.at)}: id "${d.id}" severity "${d.severity}"`);
    }
    const keys = new Set([...byAlert.keys(), ...chains.keys()]);
    for (const key of keys) {
      const ds = byAlert.get(key) ?? [];
      const chain = chains.get(key);
      if (!chain) other += ds.length;
      const epochOfEach = epochsOf(ds);
      for (let e = 0; e < epochs; e++) {
        const mine = ds.filter((_, i) => epochOfEach[i] === e);
        // Duplicates: the same notification id twice.
        const firstAt = new Map<string, number>();
        const unique: Delivery[] = [];
        for (const d of mine) {
          const first = firstAt.get(d.id);
          if (first === undefined) { firstAt.set(d.id, d.at); unique.push(d); continue; }
          // The documented window: a worker killed (or paused past its lock) between the server's acceptance and the "sent" mark.
          const kill = h.faults.find((f) => PROCESS_FAULTS.includes(f.kind) && f.start >= first - 1000 && f.start <= first + DUPLICATE_WINDOW_MS);
          // Redis' own limit (asynchronous replication): a master that crashes loses the writes its replica
          // had not yet got, and after a promotion the old master takes writes until the clients hear
          // +switch-master (about a second; the sentinel-failover test bounds it at 3 s): the "sent" mark goes with them.
          const crash = h.faults.find((f) => ((f.kind === 'kill-master' || f.kind === 'redis-restart') && overlaps(f, first - 1000, first + DUPLICATE_WINDOW_MS))
            || (f.kind === 'sentinel-failover' && first >= f.start - 1000 && first <= f.start + DUPLICATE_WINDOW_MS));
          if (kill) dupKill++;
          else if (crash) dupCrash++;
          else { dupOther++; res.violations.push(`duplicate ${d.id} at ${at(h, first)} and ${at(h, d.at)} with no kill or Redis fault next to the first`); }
        }
        // Order: one alert's notifications arrive in the order they were made.
        const seqs = unique.map(seqOf);
        for (let i = 1; i < seqs.length; i++) {
          if (seqs[i] < seqs[i - 1]) res.violations.push(`${key}: #${seqs[i]} (${unique[i].severity}) arrived at ${at(h, unique[i].at)} after #${seqs[i - 1]} (${unique[i - 1].severity})`);
        }
        if (!chain) continue;
        const { must, may } = chain[e];
        transitions += must.length - 1;
        const got = collapse(['ok', ...unique.map((d) => d.severity)]);
        if (e < wipes.length) {
          // Redis was wiped at this epoch's end: notifications still in its outbox went with its data
          // (the next epoch starts again from the values as they are). One alert's notifications go
          // out in order, so only the chain's tail can be missing: what is missing is counted.
          let k = must.length;
          while (k > 1 && !isSubsequence(must.slice(0, k), got)) k--;
          lostInWipe += must.length - k;
        } else if (!isSubsequence(must, got)) res.violations.push(`${key}${epochs > 1 ? ` (epoch ${e})` : ''}: transitions ${must.join('→')} not all delivered, got ${got.join('→')}`);
        if (!isSubsequence(got, may)) res.violations.push(`${key}${epochs > 1 ? ` (epoch ${e})` : ''}: delivered ${got.join('→')}, but the values only went ${may.join('→')}`);
      }
    }
    res.ok = res.violations.length === 0;
    res.figure = `${deliveries.length} deliveries; ${transitions} value transitions the monitor must have seen, all checked in order; `
      + `duplicates: ${dupKill} in the kill window, ${dupCrash} while Redis failed over or crashed (both allowed), ${dupOther} others; `
      + `${lostInWipe} transitions still in the outbox when Redis was wiped (lost with its data, allowed); ${other} deliveries of other alerts (stale, unreadable, credentials)`;
    out.push(res);
  }
  return out;
}

/**
 * How long the account's 429 pause still ran when the storm `f` ended, ms, modelled on the budget's
 * PENALIZE_SCRIPT: a 429 after the running pause starts a new episode of the streak, whose pause is
 * Retry-After x 2^(streak - 1); a good answer ends the streak.
 */
function pauseLeft(h: History, f: FaultRecord, account: string): number {
  const r = (f.retryAfterS ?? 0) * 1000;
  let streak = 0;
  let until = 0;
  for (const x of h.requests) {
    if (x.account !== account || x.time < f.start - 60_000 || x.time > (f.end ?? Infinity)) continue;
    if (x.status === 200) { streak = 0; continue; }
    if (x.status !== 429) continue;
    if (until <= x.time || streak === 0) streak++;
    until = Math.max(until, x.time + Math.max(r, Math.min(15 * 60_000, r * 2 ** (streak - 1))));
  }
  return Math.max(0, until - (f.end ?? 0));
}

/** Liveness: /healthz answered, polling back after each fault within its bound, no crash, flat memory of long-lived replicas. */
export function checkLiveness(h: History): InvariantResult[] {
  const health: InvariantResult = { name: 'liveness: /healthz', ok: true, figure: '', violations: [] };
  const probes = h.health.filter((p) => !h.faults.some((f) => f.kind === 'pause-replica' && f.target === `replica ${p.replica}` && overlaps(f, p.at - 5000, p.at + p.ms)));
  for (const p of probes.filter((x) => !x.ok)) health.violations.push(`replica ${p.replica} at ${at(h, p.at)}: ${p.error} after ${p.ms} ms`);
  health.ok = health.violations.length === 0;
  health.figure = `${probes.filter((p) => p.ok).length}/${probes.length} probes answered 200, slowest ${Math.max(0, ...probes.map((p) => p.ms))} ms`;

  const resume: InvariantResult = { name: 'liveness: polling resumes', ok: true, figure: '', violations: [] };
  const worst = new Map<FaultKind, number>();
  let checked = 0;
  let skipped = 0;
  for (const f of h.faults) {
    if (f.end === undefined || f.kind === 'smtp-down' || f.kind === 'webhook-down') continue;
    const accounts = f.accounts.length > 0 ? f.accounts : h.accounts;
    let longest = 0;
    for (const account of accounts) {
      const bound = (RESUME_BOUND_MS[f.kind] ?? 20_000) + (f.kind === 'api-429-storm' ? pauseLeft(h, f, account) : 0);
      const next = h.requests.find((r) => r.account === account && r.endpoint === 'balance' && r.status === 200 && r.time >= f.end!);
      const latency = next ? next.time - f.end! : Infinity;
      // Another fault on this account (or of the system) in the way: not this fault's resumption to judge.
      const blocker = h.faults.find((g) => g !== f && overlaps(g, f.end!, f.end! + Math.min(latency, bound)) && g.kind !== 'smtp-down' && g.kind !== 'webhook-down'
        && (g.accounts.length === 0 || g.accounts.includes(account)));
      if (blocker || f.end! + bound > h.endedAt) { skipped++; continue; }
      checked++;
      longest = Math.max(longest, latency);
      if (latency > bound) resume.violations.push(`fault #${f.n} ${f.kind} ended at ${at(h, f.end!)}: ${account} polled again ${Number.isFinite(latency) ? `after ${sec(latency)}` : 'never'} (bound ${sec(bound)})`);
    }
    worst.set(f.kind, Math.max(worst.get(f.kind) ?? 0, longest));
  }
  resume.ok = resume.violations.length === 0;
  // (a 429 storm's bound: the pause still running when it ends, modelled as the budget script does, plus the kind's bound)
  resume.figure = `${checked} (fault, account) resumptions checked, ${skipped} with another fault in the way; slowest per fault: `
    + [...worst].map(([k, v]) => `${k} ${Number.isFinite(v) ? sec(v) : 'never'}`).join(', ');

  const crash: InvariantResult = { name: 'liveness: no crash', ok: true, figure: '', violations: [] };
  let lines = 0;
  let errors = 0;
  for (const r of h.replicas) {
    for (const l of r.lives) if (l.end?.startsWith('unexpected')) crash.violations.push(`replica ${r.index} (pid ${l.pid}) ${l.end} at ${at(h, l.endedAt!)}`);
    for (const line of r.log.split('\n')) {
      if (!line) continue;
      lines++;
      if (!line.startsWith('{')) {
        if (/unhandled|uncaught|Error|FATAL|^\s+at /i.test(line)) crash.violations.push(`replica ${r.index} printed: ${line.slice(0, 200)}`);
        continue;
      }
      try {
        const rec = JSON.parse(line) as { level?: number; msg?: string };
        if ((rec.level ?? 0) >= 50) errors++;
        if ((rec.level ?? 0) >= 60 || /unhandled|uncaught/i.test(String(rec.msg))) crash.violations.push(`replica ${r.index} logged: ${line.slice(0, 300)}`);
      } catch {
        // a line cut by a SIGKILL
      }
    }
  }
  crash.ok = crash.violations.length === 0;
  crash.figure = `${h.replicas.reduce((s, r) => s + r.lives.length, 0)} replica lives, ${h.replicas.reduce((s, r) => s + r.lives.filter((l) => l.end?.startsWith('unexpected')).length, 0)} unexpected exits; ${lines} log lines, ${errors} at error level, 0 allowed unhandled rejections/exceptions`;

  const memory: InvariantResult = { name: 'liveness: memory', ok: true, figure: '', violations: [] };
  const figures: string[] = [];
  for (const r of h.replicas) {
    for (const l of r.lives) {
      const end = l.endedAt ?? h.endedAt;
      if (end - l.startedAt < LONG_LIFE_MS || l.rss.length < 10) continue;
      const median = (xs: number[]) => pct(xs, 50);
      const early = median(l.rss.filter(([t]) => t >= l.startedAt + 120_000 && t < l.startedAt + 180_000).map(([, b]) => b));
      const late = median(l.rss.filter(([t]) => t >= end - 60_000).map(([, b]) => b));
      const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
      figures.push(`replica ${r.index} (${sec(end - l.startedAt)}): ${mb(early)} → ${mb(late)}`);
      if (late - early > RSS_GROWTH_LIMIT_BYTES) memory.violations.push(`replica ${r.index} pid ${l.pid} grew from ${mb(early)} to ${mb(late)} over ${sec(end - l.startedAt)}`);
    }
  }
  memory.ok = memory.violations.length === 0;
  memory.figure = figures.length ? `RSS median of minute 3 → last minute: ${figures.join('; ')} (limit +${RSS_GROWTH_LIMIT_BYTES / 1048576} MB)` : `no replica lived ${LONG_LIFE_MS / 60000} min (nothing to compare)`;

  const stalls = h.harnessStalls ?? [];
  const harness: InvariantResult = {
    name: 'harness', ok: h.harnessErrors.length === 0, violations: h.harnessErrors,
    figure: `${h.harnessErrors.length} faults the harness could not carry out; its event loop stalled ${stalls.length} times over ${STALL_MS} ms`
      + `${stalls.length ? ` (longest ${sec(Math.max(...stalls.map((x) => x.ms)))}; arrival times recorded then are late)` : ''}`,
  };
  return [health, resume, crash, memory, harness];
}

/** Every invariant, in report order. */
export function checkAll(h: History): InvariantResult[] {
  return [...checkBudget(h), checkFreshness(h), ...checkNotifications(h), ...checkLiveness(h)];
}
