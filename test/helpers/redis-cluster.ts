import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { acceptsConnections, freePort } from '../../src/state/private-redis';
import { waitFor } from './wait-for';

const run = promisify(execFile);

/** A redis-server (or `--sentinel`) process started with extra arguments, in its own temp dir. */
export interface RedisProcess {
  port: number;
  dir: string;
  proc: ChildProcess;
  /** Everything the process printed (for a failing test's message). */
  output(): string;
  /** SIGTERM, wait for the exit, delete the dir. */
  close(): Promise<void>;
}

/** Options of startRedisProcess; defaults next to each. */
export interface RedisProcessOptions {
  /** Default: a free port. */
  port?: number;
  /** Serve TLS only, on `port` (`--port 0 --tls-port port`); the certificate arguments go in `args`. Default false. */
  tls?: boolean;
  /** A config file given before the arguments (redis-sentinel needs one); default none. */
  configFile?: string;
  /** Extra arguments after the config file (`--sentinel`); default none. */
  mode?: string[];
}

/**
 * Starts `redis-server` on 127.0.0.1 with `args` added (a password, TLS certificates, cluster mode),
 * and waits until its port accepts TCP connections, which needs no knowledge of the password or TLS.
 */
export async function startRedisProcess(args: string[], opts: RedisProcessOptions = {}): Promise<RedisProcess> {
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'spm-redis-'));
  const ports = opts.tls ? ['--port', '0', '--tls-port', String(port)] : ['--port', String(port)];
  const head = [...(opts.configFile ? [opts.configFile] : []), ...(opts.mode ?? [])];
  const proc = spawn('redis-server', [...head, ...ports, '--bind', '127.0.0.1', '--dir', dir,
    '--save', '', '--appendonly', 'no', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  try {
    await waitFor(`redis-server on port ${port}`, async () => {
      if (proc.exitCode !== null) return 'exited';
      return acceptsConnections(port);
    }, 10_000, 25);
    if (proc.exitCode !== null) throw new Error(`redis-server exited (${proc.exitCode}): ${out.slice(-500)}`);
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    dir,
    proc,
    output: () => out,
    close: async () => {
      if (proc.exitCode === null && proc.signalCode === null) {
        await new Promise<void>((res) => {
          proc.once('exit', () => res());
          proc.kill('SIGTERM');
        });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Redis Cluster of masters on loopback, no replicas. */
export interface RedisCluster {
  ports: number[];
  /** `redis://127.0.0.1:PORT` per node, as `redis.cluster.nodes` takes them. */
  nodes: string[];
  close(): Promise<void>;
}

/**
 * Starts `size` redis-server processes in cluster mode, joins them with `redis-cli --cluster create`
 * (slots split evenly, no replicas), and waits until every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  const nodes: RedisProcess[] = [];
  try {
    for (let i = 0; i < size; i++) {
      nodes.push(await startRedisProcess(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', '2000', '--maxmemory-policy', 'noeviction']));
    }
    const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
    await run('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    await waitFor('cluster_state:ok on every node', async () => {
      for (const n of nodes) {
        const { stdout } = await run('redis-cli', ['-p', String(n.port), 'cluster', 'info']);
        if (!stdout.includes('cluster_state:ok')) return false;
      }
      return true;
    }, 20_000, 100);
  } catch (err) {
    await Promise.all(nodes.map((n) => n.close()));
    throw err;
  }
  return {
    ports: nodes.map((n) => n.port),
    nodes: nodes.map((n) => `redis://127.0.0.1:${n.port}`),
    close: async () => {
      await Promise.all(nodes.map((n) => n.close()));
    },
  };
}
