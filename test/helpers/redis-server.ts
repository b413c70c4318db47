import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

/** A real redis-server on a free loopback port, private to one test file. */
export interface TestRedis {
  port: number;
  url: string;
  /** Stop it (SIGKILL when `hard`), keeping its data dir so `start()` can bring it back. */
  stop(hard?: boolean): Promise<void>;
  /** (Re)start on the same port. */
  start(): Promise<void>;
  /** Stop and delete the data dir. */
  close(): Promise<void>;
}

async function waitForPing(port: number, deadlineMs: number): Promise<void> {
  const { default: Redis } = await import('ioredis');
  const until = Date.now() + deadlineMs;
  for (;;) {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await r.connect();
      await r.ping();
      r.disconnect();
      return;
    } catch (err) {
      r.disconnect();
      if (Date.now() > until) throw err;
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}

/** Starts redis-server (from PATH) with persistence off unless `appendonly` is set. */
export async function startRedis(opts: { appendonly?: boolean } = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'spm-redis-'));
  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
        '--appendonly', opts.appendonly ? 'yes' : 'no', '--maxmemory-policy', 'noeviction'],
      { stdio: 'ignore' },
    );
    await waitForPing(port, 10000);
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
