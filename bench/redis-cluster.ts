import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from '../src/state/private-redis';
import { sleep } from './wait';

const run = promisify(execFile);

/** A three-master Redis Cluster on loopback for the benchmark, with what the benchmark measures of it. */
export interface BenchCluster {
  /** `redis://127.0.0.1:PORT` per node, as `redis.cluster.nodes` takes them. */
  nodes: string[];
  /** The redis-server processes, for their CPU time. */
  pids: number[];
  /** FLUSHALL on every master (a cluster client cannot flush them all with one command). */
  flushAll(): Promise<void>;
  /** Commands each node has served since it started (INFO commandstats, calls summed), by node. */
  commandsPerNode(): Promise<number[]>;
  /** Calls per command since the nodes started, all nodes together (INFO commandstats). */
  commandMix(): Promise<Map<string, number>>;
  /** Stops every node and deletes their dirs. */
  close(): Promise<void>;
}

async function ask(port: number, ...args: string[]): Promise<string> {
  return (await run('redis-cli', ['-p', String(port), ...args], { timeout: 10_000 })).stdout;
}

/**
 * Starts `size` redis-server processes in cluster mode, joins them with `redis-cli --cluster create`
 * (slots split evenly, no replicas) and waits for `cluster_state:ok` on every node. Adapted from
 * test/helpers/redis-cluster.ts, which the build (src, jobs, bench only) cannot import.
 */
export async function startBenchCluster(size = 3): Promise<BenchCluster> {
  const procs: { port: number; dir: string; proc: ChildProcess }[] = [];
  const close = async () => {
    await Promise.all(procs.map(async (p) => {
      if (p.proc.exitCode === null && p.proc.signalCode === null) {
        await new Promise<void>((res) => { p.proc.once('exit', () => res()); p.proc.kill('SIGTERM'); });
      }
      rmSync(p.dir, { recursive: true, force: true });
    }));
  };
  try {
    for (let i = 0; i < size; i++) {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'spm-bench-cluster-'));
      // Same persistence and eviction settings as the single private Redis, so the two compare.
      const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
        '--appendonly', 'no', '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', '2000', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
      procs.push({ port, dir, proc });
    }
    for (const p of procs) await until(`redis-server on ${p.port}`, async () => (await ask(p.port, 'ping')).includes('PONG'));
    const addrs = procs.map((p) => `127.0.0.1:${p.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    for (const p of procs) await until(`cluster_state:ok on ${p.port}`, async () => (await ask(p.port, 'cluster', 'info')).includes('cluster_state:ok'));
  } catch (err) {
    await close();
    throw err;
  }
  return {
    nodes: procs.map((p) => `redis://127.0.0.1:${p.port}`),
    pids: procs.map((p) => p.proc.pid!),
    flushAll: async () => {
      for (const p of procs) {
        const r = new Redis(p.port, '127.0.0.1');
        try { await r.flushall(); } finally { r.disconnect(); }
      }
    },
    commandsPerNode: () => Promise.all(procs.map(async (p) => {
      const info = await ask(p.port, 'info', 'commandstats');
      return [...info.matchAll(/calls=(\d+)/g)].reduce((n, x) => n + Number(x[1]), 0);
    })),
    commandMix: async () => {
      const mix = new Map<string, number>();
      for (const p of procs) {
        for (const m of (await ask(p.port, 'info', 'commandstats')).matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) mix.set(m[1], (mix.get(m[1]) ?? 0) + Number(m[2]));
      }
      return mix;
    },
    close,
  };
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try { if (await ok()) return; } catch { /* not up yet */ }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}
