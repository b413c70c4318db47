import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/state/private-redis';

/** The master name every Sentinel of a SentinelSet monitors. */
export const MASTER_NAME = 'mymaster';

/** One redis-server (data node or Sentinel) with its own dir and config file, which can be stopped and started again. */
export interface RedisNode {
  readonly port: number;
  readonly dir: string;
  /** Whether its process runs now. */
  running(): boolean;
  /** Starts the process from its config file (which Sentinel may have rewritten) and waits until its port accepts TCP. */
  start(): Promise<void>;
  /** Sends `signal` (default SIGTERM) and waits for the exit; a no-op when stopped. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Deletes its AOF and RDB files (call while stopped): the next start comes up empty. */
  wipeData(): void;
  /** SIGSTOP/SIGCONT the process. */
  pause(on: boolean): void;
  /** The last few KB it printed. */
  output(): string;
}

/** A Redis primary with one replica and three Sentinels (quorum 2), all on free loopback ports. */
export interface SentinelSet {
  /** [primary at start, replica at start]; which is master changes with failovers. */
  nodes: RedisNode[];
  sentinels: RedisNode[];
  /** `host:port` of each Sentinel, for `redis.sentinel.sentinels`. */
  addresses: string[];
  /** The port of the master as the first Sentinel that answers names it. */
  masterPort(): Promise<number>;
  /** `SENTINEL FAILOVER`; resolves with the new master's port once a Sentinel names a new one and it answers as master; throws after `timeoutMs`. */
  failover(timeoutMs?: number): Promise<number>;
  /** Resolves once the Sentinels agree on a master that answers ROLE as master and has a connected replica (when the other node runs); throws after `timeoutMs`. */
  settled(timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

/** Sentinel timing: a master is down after this long without answering, ms. */
export const DOWN_AFTER_MS = 1000;

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number, stepMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** A redis-server started as `redis-server <dir>/node.conf [--sentinel]`; the config file is written once, so Sentinel's rewrites survive restarts. */
function redisNode(dir: string, port: number, conf: string, sentinel: boolean): RedisNode {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'node.conf');
  writeFileSync(file, conf);
  let proc: ChildProcess | null = null;
  let out = '';
  const node: RedisNode = {
    port,
    dir,
    running: () => proc !== null && proc.exitCode === null && proc.signalCode === null,
    start: async () => {
      if (node.running()) return;
      const p = spawn('redis-server', [file, ...(sentinel ? ['--sentinel'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
      proc = p;
      const keep = (d: Buffer) => { out = (out + d.toString()).slice(-8000); };
      p.stdout!.on('data', keep);
      p.stderr!.on('data', keep);
      await until(`redis on port ${port}`, async () => {
        if (p.exitCode !== null) throw new Error(`redis-server on ${port} exited (${p.exitCode}): ${out.slice(-400)}`);
        return tcpOpen(port);
      }, 10_000, 25);
    },
    stop: async (signal = 'SIGTERM') => {
      const p = proc;
      if (!p || !node.running()) return;
      if (p.signalCode === null) p.kill('SIGCONT');
      const exited = new Promise<void>((res) => p.once('exit', () => res()));
      p.kill(signal);
      await exited;
    },
    wipeData: () => {
      for (const f of readdirSync(dir)) {
        if (f === 'node.conf') continue;
        rmSync(join(dir, f), { recursive: true, force: true });
      }
    },
    pause: (on) => { if (node.running()) proc!.kill(on ? 'SIGSTOP' : 'SIGCONT'); },
    output: () => out,
  };
  return node;
}

async function role(port: number): Promise<string | undefined> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500, commandTimeout: 500 });
  r.on('error', () => undefined);
  try {
    await r.connect();
    const v = (await r.call('ROLE')) as unknown[];
    const info = v[0] === 'master' ? `master:${(v[2] as unknown[]).length}` : `slave:${String(v[3])}`;
    return info;
  } catch {
    return undefined;
  } finally {
    r.disconnect();
  }
}

async function askSentinels(ports: number[], ...args: string[]): Promise<unknown[]> {
  const answers: unknown[] = [];
  for (const port of ports) {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500, commandTimeout: 1000 });
    r.on('error', () => undefined);
    try {
      await r.connect();
      answers.push(await r.call('SENTINEL', ...args));
    } catch (err) {
      answers.push(err);
    } finally {
      r.disconnect();
    }
  }
  return answers;
}

/**
 * Starts a primary, a replica of it and three Sentinels (quorum 2, down after DOWN_AFTER_MS), each
 * data node with an AOF (so a restart keeps its data unless wiped), and waits until the Sentinels
 * know the master and its replica.
 */
export async function startSentinelSet(root?: string): Promise<SentinelSet> {
  const base = root ?? mkdtempSync(join(tmpdir(), 'spm-sentinel-set-'));
  const ports = [await freePort(), await freePort()];
  const common = (port: number, dir: string) => `port ${port}\nbind 127.0.0.1\ndir ${dir}\nappendonly yes\nappendfsync everysec\nsave ""\nmaxmemory-policy noeviction\n`
    // A replica whose master is gone keeps serving reads; replicas announce themselves on loopback.
    + `replica-announce-ip 127.0.0.1\n`;
  const nodes = ports.map((port, i) => {
    const dir = join(base, `redis-${port}`);
    return redisNode(dir, port, common(port, dir) + (i === 1 ? `replicaof 127.0.0.1 ${ports[0]}\n` : ''), false);
  });
  for (const n of nodes) await n.start();
  const sentinels: RedisNode[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const dir = join(base, `sentinel-${port}`);
    sentinels.push(redisNode(dir, port, `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel announce-ip 127.0.0.1\n`
      + `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${ports[0]} 2\n`
      + `sentinel down-after-milliseconds ${MASTER_NAME} ${DOWN_AFTER_MS}\n`
      + `sentinel failover-timeout ${MASTER_NAME} 6000\nsentinel parallel-syncs ${MASTER_NAME} 1\n`, true));
  }
  for (const s of sentinels) await s.start();
  const sentinelPorts = sentinels.map((s) => s.port);

  const masterPort = async (): Promise<number> => {
    for (const a of await askSentinels(sentinelPorts, 'get-master-addr-by-name', MASTER_NAME)) {
      if (Array.isArray(a)) return Number(a[1]);
    }
    throw new Error('no sentinel answered');
  };
  const settled = async (timeoutMs = 30_000): Promise<number> => until('the sentinels to agree on a master with its replica', async () => {
    const answers = await askSentinels(sentinelPorts.filter((_, i) => sentinels[i].running()), 'get-master-addr-by-name', MASTER_NAME);
    const named = answers.filter(Array.isArray).map((a) => Number((a as string[])[1]));
    if (named.length < 2 || new Set(named).size !== 1) return undefined;
    const port = named[0];
    const other = nodes.find((n) => n.port !== port)!;
    const r = await role(port);
    if (!r?.startsWith('master:')) return undefined;
    if (other.running() && r === 'master:0') return undefined;
    if (other.running() && (await role(other.port)) !== `slave:connected`) return undefined;
    // Every running sentinel must see the replica, or the next failover has nobody to promote.
    const replicas = await askSentinels(sentinelPorts.filter((_, i) => sentinels[i].running()), 'replicas', MASTER_NAME);
    if (other.running() && !replicas.every((x) => Array.isArray(x) && x.length > 0)) return undefined;
    return port;
  }, timeoutMs, 100);
  await settled();

  return {
    nodes,
    sentinels,
    addresses: sentinelPorts.map((p) => `127.0.0.1:${p}`),
    masterPort,
    settled,
    failover: async (timeoutMs = 30_000) => {
      const before = await masterPort();
      // A Sentinel refuses while a failover is in progress (INPROG) or no good replica exists (NOGOODSLAVE): retry.
      return until('a failover through Sentinel', async () => {
        const now = await masterPort();
        if (now !== before && (await role(now))?.startsWith('master:')) return now;
        await askSentinels([sentinelPorts.find((_, i) => sentinels[i].running())!], 'failover', MASTER_NAME);
        return undefined;
      }, timeoutMs, 250);
    },
    close: async () => {
      for (const s of sentinels) await s.stop('SIGKILL');
      for (const n of nodes) await n.stop('SIGKILL');
      if (!root && existsSync(base)) rmSync(base, { recursive: true, force: true });
    },
  };
}
