import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { startPrivateRedis } from '../src/state/private-redis';
import { scalePlans, saturationPlan, TOKEN_TTL_S } from './bench-plan';
import { startChild } from './child';
import { machineInfo } from './machine-info';
import { formatStatusPage, measureStatusPage } from './measure-status-page';
import { runInMemoryLimit, runScale, type LimitedResult, type ScaleResult } from './run-scale';
import { startBenchCluster, type BenchCluster } from './redis-cluster';
import { runWorkers } from './run-workers';
import { formatResults } from './write-results';

/** `redis.shards` of the monitors in the --cluster part: one shard per master (`--cluster-shards N` to compare). */
const CLUSTER_SHARDS = process.argv.includes('--cluster-shards') ? Number(process.argv[process.argv.indexOf('--cluster-shards') + 1]) : 3;

/**
 * `npm run bench [-- --quick] [-- --cpu-prof] [-- --cluster]`: starts a private Redis and the simulator
 * (own process), runs the monitor at each scale and the bare-loop baseline, then 1..3 saturated workers,
 * and writes bench/RESULTS.md. --cpu-prof passes node's --cpu-prof to the monitor processes
 * (profiles land in the bench's temp folder, which is then kept). --cluster repeats the workers part
 * on a three-master Redis Cluster on loopback (`redis.shards: 3`), right after the single-Redis one, with
 * each master's share of the commands. The status page's
 * overview is timed first at 1,000 and 10,000 accounts (state written straight into Redis);
 * --status-page runs only that and prints its table.
 */
async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const profile = process.argv.includes('--cpu-prof');
  const root = resolve(__dirname, '..', '..');
  const dir = mkdtempSync(join(tmpdir(), 'spm-bench-'));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const machine = machineInfo();
  log(`bench (${quick ? 'quick' : 'full'}) on ${machine.cpu}, ${machine.cores} cores; load ${machine.load}`);
  const started = Date.now();
  const redis = await startPrivateRedis();
  const rc = new Redis(redis.url);
  const redisPid = Number(/process_id:(\d+)/.exec(await rc.info('server'))![1]);
  if (process.argv.includes('--status-page')) {
    try {
      process.stdout.write(formatStatusPage(await measureStatusPage(redis.url, dir, [1000, 10_000], log)));
    } finally {
      rc.disconnect();
      await redis.close();
      rmSync(dir, { recursive: true, force: true });
    }
    return;
  }
  // --no-status-page skips it (a short run of the polling parts only).
  const statusPage = process.argv.includes('--no-status-page') ? [] : (log('status page: 1,000 and 10,000 accounts'), await measureStatusPage(redis.url, dir, [1000, 10_000], log));
  // --scales 10000 runs only those scales (another number: that many accounts, with the 1,000-account
  // scale's warm-up and window; 0: none), --no-workers skips the saturation part (profiling a fix).
  const only = process.argv.includes('--scales') ? process.argv[process.argv.indexOf('--scales') + 1].split(',').map(Number) : null;
  const standard = scalePlans(quick);
  const plans = only === null ? standard : only.filter((n) => n > 0).map((n) => standard.find((p) => p.accounts === n) ?? { accounts: n, warmupS: 15, measureS: 90 });
  const skipWorkers = process.argv.includes('--no-workers');
  const withCluster = process.argv.includes('--cluster') && !skipWorkers;
  let cluster: BenchCluster | undefined;
  const simAccounts = Math.max(...plans.map((p) => p.accounts), saturationPlan(quick).accounts);
  const sim = startChild(join(root, 'dist/bench/sim-process.js'), [String(simAccounts), String(TOKEN_TTL_S)]);
  try {
    const { url: simUrl } = await sim.firstJson<{ url: string }>();
    const env = {
      cli: join(root, 'dist/src/cli/index.js'), bareLoop: join(root, 'dist/bench/bare-loop.js'), dir, simUrl, simPid: sim.pid,
      redis: rc, redisUrl: redis.url, redisPid, nodeArgs: [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : []), ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])], log,
    };
    const scales: ScaleResult[] = [];
    for (const plan of plans) {
      log(`scale: ${plan.accounts} accounts`);
      scales.push(await runScale(env, plan));
    }
    // The largest scale again inside memory limits (a cgroup each), as the chart's
    // resources.limits.memory runs it: `--memory-limits 512,1024` (MiB), `--memory-limits none` to skip.
    const limited: LimitedResult[] = [];
    const largest = plans[plans.length - 1];
    for (const limitMiB of largest ? memoryLimits(quick) : []) {
      log(`memory limit: ${largest.accounts} accounts in ${limitMiB} MiB`);
      limited.push(await runInMemoryLimit(env, largest, limitMiB));
    }
    if (!skipWorkers) log('workers: saturation on one Redis');
    const single = { label: 'one Redis', pids: [redisPid], flush: async () => { await rc.flushall(); } };
    const workers = skipWorkers ? { plan: saturationPlan(quick), results: [] } : await runWorkers(env, quick, single);
    let clusterWorkers;
    if (withCluster) {
      log('workers: saturation on a three-master Redis Cluster');
      cluster = await startBenchCluster(3);
      const c = cluster;
      // Three shards by default: each under its own hash tag, one per master (README, "Shards").
      clusterWorkers = await runWorkers(env, quick, { label: 'cluster', clusterNodes: c.nodes, shards: CLUSTER_SHARDS, pids: c.pids, flush: () => c.flushAll(), commandsPerNode: () => c.commandsPerNode(), commandMix: () => c.commandMix() });
    }
    const endLoad = machineInfo().load;
    const md = formatResults({ machine, endLoad, quick, scales, limited, workers, clusterWorkers, clusterShards: CLUSTER_SHARDS, statusPage, minutes: (Date.now() - started) / 60_000 });
    const partial = quick || only !== null || skipWorkers;
    const out = join(root, 'bench', partial ? 'RESULTS-partial.md' : 'RESULTS.md');
    writeFileSync(out, md + keptFindings(out));
    log(`wrote ${out}`);
  } finally {
    await sim.stop();
    await cluster?.close();
    rc.disconnect();
    await redis.close();
    if (profile) log(`CPU profiles kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});

/** The memory limits (MiB) of the largest scale's extra runs: `--memory-limits 512,1024`, `none`; default 512, the chart's sizing for 10,000 accounts (none with --quick). */
function memoryLimits(quick: boolean): number[] {
  const at = process.argv.indexOf('--memory-limits');
  if (at < 0) return quick ? [] : [512];
  const v = process.argv[at + 1] ?? '';
  if (v === 'none') return [];
  const limits = v.split(',').map(Number);
  if (limits.length === 0 || !limits.every((l) => Number.isInteger(l) && l > 0)) throw new Error(`--memory-limits takes MiB as positive whole numbers, comma-separated (512,1024), or none; got "${v}"`);
  return limits;
}

/**
 * The hand-written "Findings and fixes" section of the results file being replaced: the analysis of
 * earlier runs (profiles, causes, fixes) must not vanish because the figures were measured again.
 */
function keptFindings(file: string): string {
  if (!existsSync(file)) return '';
  const old = readFileSync(file, 'utf8');
  const at = old.indexOf('\n## Findings and fixes');
  if (at < 0) return '';
  return `\n> The section below was written about an earlier run; check it against the figures above.\n${old.slice(at)}`;
}
