import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A redis-server this process started on a loopback port (the demo's, and the tests'). */
export interface PrivateRedis {
  port: number;
  url: string;
  /** Stops it (SIGKILL when `hard`), keeping its data dir so `start()` brings it back on the same port. */
  stop(hard?: boolean): Promise<void>;
  /** (Re)starts it on the same port and waits until it answers PING. */
  start(): Promise<void>;
  /** Stops it and deletes its data dir. */
  close(): Promise<void>;
}

/** Options; defaults next to each. */
export interface PrivateRedisOptions {
  /** Default: a free port. */
  port?: number;
  /** AOF persistence; default off. */
  appendonly?: boolean;
  /** Default `redis-server` from PATH. */
  binary?: string;
  /** More redis-server arguments, after the defaults (so `--maxmemory-policy allkeys-lru` wins); default none. */
  args?: string[];
}

/** True when `redis-server` can be run. */
export function hasRedisServer(binary = 'redis-server'): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** True when something accepts a TCP connection on 127.0.0.1:`port` (the socket is destroyed at once). */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ port, host: '127.0.0.1' });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

/**
 * Waits until the redis-server on `port` answers PING. The port is probed with a bare socket first:
 * an ioredis client whose connect was refused leaves a 2 s timer behind when disconnected (its
 * connector waits for a `close` the dead socket already emitted), which kept test processes alive.
 */
async function waitForPing(port: number, proc: ChildProcess, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited with code ${proc.exitCode}`);
    if (await acceptsConnections(port)) {
      const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      r.on('error', () => undefined);
      try {
        await r.connect();
        await r.ping();
        return;
      } catch (err) {
        if (Date.now() > until) throw err;
      } finally {
        r.disconnect();
      }
    } else if (Date.now() > until) {
      throw new Error(`redis-server did not accept connections on 127.0.0.1:${port} within ${deadlineMs} ms`);
    }
    await new Promise((res) => setTimeout(res, 50));
  }
}

/**
 * Starts a private redis-server bound to 127.0.0.1 with `noeviction` (what BullMQ requires) and RDB
 * snapshots off; it dies with this process's `close()`.
 */
export async function startPrivateRedis(opts: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'spm-redis-'));
  let proc: ChildProcess | undefined;
  const start = async () => {
    const p = spawn(opts.binary ?? 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
      '--appendonly', opts.appendonly ? 'yes' : 'no', '--maxmemory-policy', 'noeviction', ...(opts.args ?? [])], { stdio: 'ignore' });
    proc = p;
    await new Promise<void>((resolve, reject) => {
      p.once('error', reject);
      p.once('spawn', () => resolve());
    });
    await waitForPing(port, p, 10_000);
  };
  const stop = async (hard = false) => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((res) => {
      p.once('exit', () => res());
      p.kill(hard ? 'SIGKILL' : 'SIGTERM');
    });
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    close: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
