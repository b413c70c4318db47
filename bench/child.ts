import { spawn, type ChildProcess } from 'node:child_process';

/** A node child process of the benchmark, with its output kept for error reports. */
export interface Child {
  proc: ChildProcess;
  pid: number;
  output(): string;
  /** Resolves with the first stdout line that parses as JSON. */
  firstJson<T>(timeoutMs?: number): Promise<T>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `node <script> ...args` with extra env; stdout and stderr are collected (last 64 kB). `wrap`
 * turns the command line into another that execs it (MemoryCgroup.wrap: the same pid, in a cgroup).
 */
export function startChild(script: string, args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = [], wrap: (cmd: string[]) => string[] = (c) => c): Child {
  const [file, ...rest] = wrap([process.execPath, ...nodeArgs, script, ...args]);
  const proc = spawn(file, rest, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => { out = (out + d.toString()).slice(-65_536); };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((res) => proc.once('exit', () => res()));
  return {
    proc,
    pid: proc.pid!,
    output: () => out,
    firstJson: <T>(timeoutMs = 120_000) => new Promise<T>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(() => reject(new Error(`${script}: no JSON line within ${timeoutMs} ms:\n${out}`)), timeoutMs);
      const onData = (d: Buffer) => {
        buf += d.toString();
        for (const line of buf.split('\n')) {
          if (!line.startsWith('{')) continue;
          try {
            const v = JSON.parse(line) as T;
            clearTimeout(timer);
            proc.stdout!.off('data', onData);
            return resolve(v);
          } catch { /* a partial line: wait for the rest */ }
        }
      };
      proc.stdout!.on('data', onData);
      proc.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${script} exited ${code}:\n${out}`)); });
    }),
    stop: async (graceMs = 10_000) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}
