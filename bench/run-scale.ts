import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { freePort } from '../src/state/private-redis';
import { COMPRESSION, INTERVALS_S, TOKEN_TTL_S, type ScalePlan } from './bench-plan';
import { startChild } from './child';
import { accountRequests, schedulerStarts, simCounts, type RequestAccounting } from './measure-requests';
import { diffHistogram, quantile, readHistogram, scrape, type Scrape } from './measure-metrics';
import { cpuSeconds, rssBytes, watchPeakRss } from './measure-process';
import { makeMemoryCgroup } from './memory-cgroup';
import { commandStats, perPoll } from './measure-redis';
import { writeMonitorConfig } from './monitor-config';
import { sleep, waitReady } from './wait';

/** What one scale measured, for the monitor and for the bare loop. */
export interface ScaleResult {
  accounts: number;
  measureS: number;
  startupMs: number;
  pollsPerS: number;
  expectedPollsPerS: number;
  lagP50: number;
  lagP99: number;
  lagMaxBucket: string;
  cpuPer1000: number;
  cpuRedisPer1000: number;
  cpuSimPer1000: number;
  rssMiB: number;
  /** RSS when the window opened, before its first scrape. */
  rssStartMiB: number;
  redisMiB: number;
  scrapeMsMedian: number;
  scrapeMsMax: number;
  scrapeKiB: number;
  /** Bytes of the last scrape on the wire (gzip), KiB. */
  scrapeWireKiB: number;
  requests: RequestAccounting;
  /** Redis commands, and Redis CPU µs, per poll; the busiest commands. */
  redisPerPoll: { calls: number; usec: number; top: string };
  bare: { pollsPerS: number; cpuPer1000: number; rssMiB: number; lagP50: number; lagP99: number };
  overhead: number;
}

/** Paths and processes shared by every scale. */
export interface ScaleEnv {
  cli: string;
  bareLoop: string;
  dir: string;
  simUrl: string;
  simPid: number;
  redis: Redis;
  redisUrl: string;
  redisPid: number;
  /** Extra node flags for the monitor process (e.g. --cpu-prof). */
  nodeArgs: string[];
  log: (line: string) => void;
}

const MIB = 2 ** 20;

/** Seconds between /metrics scrapes during the window (Prometheus' usual 15 s). */
export const SCRAPE_EVERY_S = 15;

/** What the monitor alone showed over the measurement window (the ScaleResult fields it fills, and what the rest are made from). */
interface MonitorWindow extends Pick<ScaleResult, 'startupMs' | 'cpuPer1000' | 'cpuRedisPer1000' | 'cpuSimPer1000' | 'rssMiB' | 'rssStartMiB' | 'redisMiB' | 'redisPerPoll'> {
  startedAt: number;
  stoppedAt: number;
  polls: number;
  lag: ReturnType<typeof diffHistogram>;
  /** Scrape times, ms, sorted. */
  times: number[];
  last: Scrape;
}

/** Starts the monitor (`run`, one process; `wrap` to start it in a cgroup) on `plan.accounts` accounts, measures the window, stops it. */
async function measureMonitor(env: ScaleEnv, plan: ScalePlan, wrap?: (cmd: string[]) => string[]): Promise<MonitorWindow> {
  const n = plan.accounts;
  await env.redis.flushall();
  const file = join(env.dir, `bench-${n}.yaml`);
  const port = await freePort();
  writeMonitorConfig({ file, simUrl: env.simUrl, redisUrl: env.redisUrl, prefix: `bench${n}`, port, accounts: n, intervalsS: INTERVALS_S });
  const url = `http://127.0.0.1:${port}`;
  const startedAt = Date.now();
  const mon = startChild(env.cli, ['run', '--config', file], { LOG_LEVEL: 'warn' }, env.nodeArgs, wrap);
  let rss: ReturnType<typeof watchPeakRss> | undefined;
  try {
    const startupMs = await waitReady(url).catch((e: Error) => { throw new Error(`${e.message}\n${mon.output()}`); });
    env.log(`  ${n} accounts: monitor ready in ${(startupMs / 1000).toFixed(1)} s; warming up ${plan.warmupS} s`);
    rss = watchPeakRss([mon.pid]);
    await sleep(plan.warmupS * 1000);

    const rssStartMiB = rssBytes(mon.pid) / MIB;
    const before = { cpu: cpuSeconds(mon.pid), sim: cpuSeconds(env.simPid), redis: cpuSeconds(env.redisPid), counts: await simCounts(env.simUrl), lag: readHistogram((await scrape(url)).text, 'sendpulse_poll_lag_seconds'), cmd: await commandStats(env.redis) };
    // Scraped as Prometheus would, every SCRAPE_EVERY_S during the window: the scrape's cost lands in
    // the CPU per poll and its effect on the polls in the lag, as it would in production.
    const scrapes: Scrape[] = [];
    const windowEnd = Date.now() + plan.measureS * 1000;
    while (Date.now() + SCRAPE_EVERY_S * 1000 <= windowEnd) {
      await sleep(SCRAPE_EVERY_S * 1000);
      scrapes.push(await scrape(url));
    }
    await sleep(Math.max(0, windowEnd - Date.now()));
    const after = { cpu: cpuSeconds(mon.pid), sim: cpuSeconds(env.simPid), redis: cpuSeconds(env.redisPid), counts: await simCounts(env.simUrl), lag: readHistogram((await scrape(url)).text, 'sendpulse_poll_lag_seconds'), cmd: await commandStats(env.redis) };
    const redisMiB = Number(/used_memory:(\d+)/.exec(await env.redis.info('memory'))![1]) / MIB;
    const rssMiB = rss.peaks()[0] / MIB;
    // Requests are accounted up to the end of the window, while the monitor still runs.
    const stoppedAt = Date.now();
    const polls = Math.max(1, after.counts.ok - before.counts.ok);
    return {
      startupMs, startedAt, stoppedAt, polls: after.counts.ok - before.counts.ok,
      lag: diffHistogram(before.lag, after.lag),
      cpuPer1000: ((after.cpu - before.cpu) / polls) * 1000,
      cpuRedisPer1000: ((after.redis - before.redis) / polls) * 1000,
      cpuSimPer1000: ((after.sim - before.sim) / polls) * 1000,
      rssMiB, rssStartMiB, redisMiB,
      times: scrapes.map((s) => s.ms).sort((a, b) => a - b),
      last: scrapes[scrapes.length - 1],
      redisPerPoll: perPoll(before.cmd, after.cmd, polls),
    };
  } finally {
    // Also when the monitor died (killed for memory): the sampling timer would keep the bench alive.
    rss?.stop();
    await mon.stop();
  }
}

/** Runs the monitor (`run`, one process) on `plan.accounts` accounts, then the bare loop on the same, and measures both. */
export async function runScale(env: ScaleEnv, plan: ScalePlan): Promise<ScaleResult> {
  const n = plan.accounts;
  const m = await measureMonitor(env, plan);
  const lag = m.lag;
  const names = Array.from({ length: n }, (_, i) => `acct-${String(i + 1).padStart(5, '0')}`);
  const starts = await schedulerStarts(env.redis, `bench${n}`, names, ['balance', 'user_info', 'team']);
  const requests = await accountRequests(env.simUrl, m.startedAt, m.stoppedAt, n, {
    balance: INTERVALS_S.balance * 1000, user_info: INTERVALS_S.userInfo * 1000, team: INTERVALS_S.team * 1000, oauth_token: TOKEN_TTL_S * 1000,
  }, starts);
  const inf = lag.buckets.find(([le]) => le === Infinity)?.[1] ?? 0;
  const below = [...lag.buckets].reverse().find(([le, c]) => le !== Infinity && c < lag.count);
  const bare = await runBare(env, plan);
  env.log(`  ${n} accounts: ${(m.polls / plan.measureS).toFixed(1)} polls/s, p99 lag ${quantile(lag, 0.99).toFixed(3)} s, ${m.cpuPer1000.toFixed(2)} CPU s/1000 polls (bare ${bare.cpuPer1000.toFixed(2)})`);
  return {
    accounts: n,
    measureS: plan.measureS,
    startupMs: m.startupMs,
    pollsPerS: m.polls / plan.measureS,
    expectedPollsPerS: expectedPollsPerS(n),
    lagP50: quantile(lag, 0.5),
    lagP99: quantile(lag, 0.99),
    lagMaxBucket: inf > 0 && below ? `> ${below[0]} s` : `≤ ${lag.buckets.find(([, c]) => c === lag.count)?.[0] ?? '?'} s`,
    cpuPer1000: m.cpuPer1000,
    cpuRedisPer1000: m.cpuRedisPer1000,
    cpuSimPer1000: m.cpuSimPer1000,
    rssMiB: m.rssMiB,
    rssStartMiB: m.rssStartMiB,
    redisMiB: m.redisMiB,
    scrapeMsMedian: m.times[Math.floor(m.times.length / 2)],
    scrapeMsMax: m.times[m.times.length - 1],
    scrapeKiB: m.last.bytes / 1024,
    scrapeWireKiB: m.last.wireBytes / 1024,
    requests,
    redisPerPoll: m.redisPerPoll,
    bare,
    overhead: m.cpuPer1000 / Math.max(1e-9, bare.cpuPer1000),
  };
}

/** Polls per second the schedules make on average at `n` accounts. */
function expectedPollsPerS(n: number): number {
  return n * (1 / INTERVALS_S.balance + 1 / INTERVALS_S.userInfo + 1 / INTERVALS_S.team);
}

/**
 * The monitor at one scale in a memory limit (a cgroup, as a container with `resources.limits.memory`):
 * measured, killed by the kernel for going over it, or skipped (no cgroup here, or the run failed) and why.
 */
export type LimitedResult = { accounts: number; limitMiB: number } & (
  | { outcome: 'skipped'; why: string }
  | { outcome: 'killed'; cgroup: 'v1' | 'v2'; oomKills: number }
  | {
    outcome: 'measured'; cgroup: 'v1' | 'v2';
    /** Processes the kernel killed for going over the limit (0: it fit). */
    oomKills: number;
    pollsPerS: number; expectedPollsPerS: number; lagP99: number; cpuPer1000: number; rssMiB: number; rssStartMiB: number; scrapeMsMedian: number;
  });

/**
 * Runs the monitor on `plan.accounts` accounts inside a memory cgroup of `limitMiB` (MemoryCgroup), as
 * the chart's `resources.limits.memory` would: Node sizes its heap from the limit, the kernel kills past
 * it. Only the monitor: the scale's own run has the bare loop and the request accounting. Never throws:
 * a failure of this extra run is its result, not the loss of the whole bench.
 */
export async function runInMemoryLimit(env: ScaleEnv, plan: ScalePlan, limitMiB: number): Promise<LimitedResult> {
  const n = plan.accounts;
  const group = makeMemoryCgroup(`spm-bench-${process.pid}-${limitMiB}`, limitMiB * MIB);
  if ('error' in group) return { accounts: n, limitMiB, outcome: 'skipped', why: `no memory cgroup could be made here (${group.error})` };
  try {
    let m: MonitorWindow;
    try {
      m = await measureMonitor(env, plan, group.wrap);
    } catch (err) {
      const oomKills = group.oomKills();
      const why = oomKills > 0 ? 'killed for going over the limit' : `failed: ${(err as Error).message.split('\n')[0]}`;
      env.log(`  ${n} accounts in ${limitMiB} MiB: ${why}`);
      return oomKills > 0 ? { accounts: n, limitMiB, outcome: 'killed', cgroup: group.kind, oomKills } : { accounts: n, limitMiB, outcome: 'skipped', why: `the run ${why}` };
    }
    env.log(`  ${n} accounts in ${limitMiB} MiB: RSS peak ${m.rssMiB.toFixed(0)} MiB, ${m.cpuPer1000.toFixed(2)} CPU s/1000 polls, p99 lag ${quantile(m.lag, 0.99).toFixed(3)} s`);
    return {
      accounts: n, limitMiB, outcome: 'measured', cgroup: group.kind, oomKills: group.oomKills(),
      pollsPerS: m.polls / plan.measureS, expectedPollsPerS: expectedPollsPerS(n), lagP99: quantile(m.lag, 0.99),
      cpuPer1000: m.cpuPer1000, rssMiB: m.rssMiB, rssStartMiB: m.rssStartMiB, scrapeMsMedian: m.times[Math.floor(m.times.length / 2)],
    };
  } finally {
    group.remove();
  }
}

async function runBare(env: ScaleEnv, plan: ScalePlan): Promise<ScaleResult['bare']> {
  const iv = INTERVALS_S;
  const bare = startChild(env.bareLoop, [env.simUrl, String(plan.accounts), String(iv.balance), String(iv.userInfo), String(iv.team)]);
  await bare.firstJson<{ ready: boolean }>();
  const rss = watchPeakRss([bare.pid]);
  // The same warm-up as the monitor had after it was ready: the spread first polls are under way.
  await sleep(plan.warmupS * 1000);
  const c0 = await simCounts(env.simUrl);
  const cpu0 = cpuSeconds(bare.pid);
  await sleep(plan.measureS * 1000);
  const cpu1 = cpuSeconds(bare.pid);
  const c1 = await simCounts(env.simUrl);
  const rssMiB = rss.peaks()[0] / MIB;
  rss.stop();
  await bare.stop();
  const last = bare.output().trim().split('\n').pop() ?? '{}';
  const stats = JSON.parse(last) as { lagP50: number; lagP99: number };
  const polls = c1.ok - c0.ok;
  return { pollsPerS: polls / plan.measureS, cpuPer1000: ((cpu1 - cpu0) / Math.max(1, polls)) * 1000, rssMiB, lagP50: stats.lagP50, lagP99: stats.lagP99 };
}

export { COMPRESSION };
