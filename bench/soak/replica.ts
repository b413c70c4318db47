import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { rssBytes } from '../measure-process';

/** The compiled CLI the soak runs (`npm run soak` builds it first). */
export const CLI = resolve(__dirname, '../../src/cli/index.js');

/** One life of a replica: from its start to its exit (or the end of the run). */
export interface ReplicaLife {
  pid: number;
  startedAt: number;
  endedAt?: number;
  /** How it ended: the signal the soak sent, or `unexpected exit <code|signal>`. */
  end?: string;
  /** [ms epoch, RSS bytes] every few seconds. */
  rss: [number, number][];
}

/** A `sendpulse-monitor run` process the soak kills, pauses and starts again; its output appends to one log file. */
export class Replica {
  readonly lives: ReplicaLife[] = [];
  private proc: ChildProcess | null = null;
  private expecting: string | null = null;
  paused = false;
  /** When the current process was started (0 while down). */
  upSince = 0;

  constructor(readonly index: number, readonly configFile: string, readonly url: string, readonly logFile: string) {}

  running(): boolean {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  start(): void {
    if (this.running()) return;
    const fd = openSync(this.logFile, 'a');
    const p = spawn(process.execPath, [CLI, 'run', '--config', this.configFile], { env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    this.proc = p;
    this.paused = false;
    this.expecting = null;
    this.upSince = Date.now();
    const life: ReplicaLife = { pid: p.pid ?? -1, startedAt: Date.now(), rss: [] };
    this.lives.push(life);
    p.once('exit', (code, signal) => {
      life.endedAt = Date.now();
      life.end = this.expecting ?? `unexpected exit ${code ?? signal}`;
      if (this.proc === p) { this.proc = null; this.upSince = 0; }
    });
  }

  /** Sends `signal` and waits for the exit (SIGTERM: the graceful shutdown, up to `graceMs`, then SIGKILL). */
  async stop(signal: 'SIGKILL' | 'SIGTERM', graceMs = 15_000): Promise<void> {
    const p = this.proc;
    if (!p || !this.running()) return;
    this.expecting = signal;
    const exited = new Promise<void>((res) => p.once('exit', () => res()));
    if (this.paused) { p.kill('SIGCONT'); this.paused = false; }
    p.kill(signal);
    const timer = setTimeout(() => { this.expecting = `${signal} (then SIGKILL after ${graceMs} ms)`; p.kill('SIGKILL'); }, graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Whether the harness has told the current process to stop (its server may already be closed). */
  stopping(): boolean {
    return this.expecting !== null;
  }

  pause(on: boolean): void {
    if (!this.running()) return;
    this.proc!.kill(on ? 'SIGSTOP' : 'SIGCONT');
    this.paused = on;
  }

  /** Records the current process's RSS. */
  sampleRss(): void {
    if (!this.running() || this.paused) return;
    const life = this.lives[this.lives.length - 1];
    try {
      life.rss.push([Date.now(), rssBytes(life.pid)]);
    } catch {
      // exited between the check and the read
    }
  }

  log(): string {
    try {
      return readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }
}
