import { join } from 'node:path';
import { freePort } from '../src/state/private-redis';
import { saturationPlan } from './bench-plan';
import { startChild, type Child } from './child';
import { simCounts } from './measure-requests';
import { cpuSeconds } from './measure-process';
import { writeMonitorConfig } from './monitor-config';
import type { ScaleEnv } from './run-scale';
import { sleep, waitReady } from './wait';

/** Throughput of k worker processes on one Redis, and where the machine's CPU went meanwhile. */
export interface WorkersResult {
  workers: number;
  pollsPerS: number;
  /** CPU cores used on average during the window, by the workers together, Redis, and the simulator. */
  workerCores: number;
  redisCores: number;
  simCores: number;
  /** Each Redis Cluster master's share of the commands served during the window (INFO commandstats); absent on one Redis. */
  masterShares?: number[];
  /** Redis commands per completed poll over the window, all masters together (INFO commandstats); absent on one Redis. */
  commandsPerPoll?: number;
}

/** The Redis the workers share: the single private one, or a Redis Cluster. */
export interface WorkersRedis {
  /** For the log line. */
  label: string;
  /** Cluster seed nodes; none means the single Redis at `env.redisUrl`. */
  clusterNodes?: string[];
  /** The redis-server processes whose CPU counts as Redis. */
  pids: number[];
  /** Empties it between runs. */
  flush(): Promise<void>;
  /** `redis.shards` of the workers' config; default 1. */
  shards?: number;
  /** Commands each master has served so far (INFO commandstats, calls summed), for their shares; absent on one Redis. */
  commandsPerNode?: () => Promise<number[]>;
  /** Calls per command so far, for the busiest commands per poll in the log line; absent on one Redis. */
  commandMix?: () => Promise<Map<string, number>>;
}

/**
 * Saturates 1, 2, 3 `run` processes sharing one Redis (or one cluster) and one schedule: every endpoint
 * of every account due every `intervalS`, far more than one worker can do, so the completed polls per
 * second are the capacity of that many workers.
 */
export async function runWorkers(env: ScaleEnv, quick: boolean, target: WorkersRedis): Promise<{ plan: ReturnType<typeof saturationPlan>; results: WorkersResult[] }> {
  const plan = saturationPlan(quick);
  const results: WorkersResult[] = [];
  for (const k of plan.workers) {
    await target.flush();
    const procs: { child: Child; url: string }[] = [];
    for (let w = 0; w < k; w++) {
      const port = await freePort();
      const file = join(env.dir, `sat-${k}-${w}.yaml`);
      const s = plan.intervalS;
      writeMonitorConfig({ file, simUrl: env.simUrl, redisUrl: env.redisUrl, clusterNodes: target.clusterNodes, shards: target.shards, prefix: `sat${k}`, port, accounts: plan.accounts, intervalsS: { balance: s, userInfo: s, team: s } });
      procs.push({ child: startChild(env.cli, ['run', '--config', file], { LOG_LEVEL: 'warn' }, env.nodeArgs), url: `http://127.0.0.1:${port}` });
    }
    await Promise.all(procs.map((p) => waitReady(p.url)));
    await sleep(plan.warmupS * 1000);
    const cpu = () => ({ w: procs.reduce((s, p) => s + cpuSeconds(p.child.pid), 0), r: target.pids.reduce((t, pid) => t + cpuSeconds(pid), 0), s: cpuSeconds(env.simPid) });
    const n0 = await target.commandsPerNode?.();
    const m0 = await target.commandMix?.();
    const c0 = await simCounts(env.simUrl);
    const u0 = cpu();
    await sleep(plan.measureS * 1000);
    const u1 = cpu();
    const c1 = await simCounts(env.simUrl);
    const n1 = await target.commandsPerNode?.();
    const m1 = await target.commandMix?.();
    await Promise.all(procs.map((p) => p.child.stop()));
    const r: WorkersResult = {
      workers: k,
      pollsPerS: (c1.ok - c0.ok) / plan.measureS,
      workerCores: (u1.w - u0.w) / plan.measureS,
      redisCores: (u1.r - u0.r) / plan.measureS,
      simCores: (u1.s - u0.s) / plan.measureS,
    };
    if (n0 && n1) {
      const served = n1.map((n, i) => n - n0[i]);
      const total = served.reduce((a, b) => a + b, 0);
      r.masterShares = served.map((n) => n / total);
      r.commandsPerPoll = total / (c1.ok - c0.ok);
    }
    const shares = r.masterShares ? `; commands per master ${r.masterShares.map((x) => `${(100 * x).toFixed(0)} %`).join(', ')}, ${r.commandsPerPoll!.toFixed(1)} per poll` : '';
    const polls = c1.ok - c0.ok;
    const mix = m0 && m1 ? `; busiest per poll: ${[...m1].map(([c, n]) => [c, (n - (m0.get(c) ?? 0)) / polls] as const).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([c, n]) => `${c} ${n.toFixed(1)}`).join(', ')}` : '';
    env.log(`  ${target.label}, ${k} worker(s): ${r.pollsPerS.toFixed(0)} polls/s; cores: workers ${r.workerCores.toFixed(2)}, redis ${r.redisCores.toFixed(2)}, simulator ${r.simCores.toFixed(2)}${shares}${mix}`);
    results.push(r);
  }
  return { plan, results };
}
