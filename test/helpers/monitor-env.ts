import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../src/config/load-config';
import type { MonitorConfig } from '../../src/config/types';
import { startSimulator } from '../../src/simulator/simulator';
import type { SimAccountDef, Simulator } from '../../src/simulator/types';
import { startPrivateRedis, type PrivateRedis } from '../../src/state/private-redis';
import { waitFor } from './wait-for';

/** The compiled CLI (`npm test` builds it first). */
export const CLI = resolve(__dirname, '../../dist/src/cli/index.js');

/** A real redis-server, the simulator over HTTP, and a temp dir for config files; one per test file. */
export interface MonitorEnv {
  redis: PrivateRedis;
  sim: Simulator;
  dir: string;
  /** Writes a config file whose sendpulse/redis/server sections point at this env; returns its path. */
  writeConfig(accountsYaml: string, extraYaml?: string, prefix?: string): string;
  /** loadConfig of such a file. */
  config(accountsYaml: string, extraYaml?: string, prefix?: string): MonitorConfig;
  close(): Promise<void>;
}

let seq = 0;

/** Starts a MonitorEnv with the given simulated accounts. */
export async function startMonitorEnv(accounts: SimAccountDef[]): Promise<MonitorEnv> {
  const redis = await startPrivateRedis();
  const sim = await startSimulator({ accounts });
  const dir = mkdtempSync(join(tmpdir(), 'spm-test-'));
  const writeConfig = (accountsYaml: string, extraYaml = '', prefix = `t${process.pid}x${++seq}`) => {
    const file = join(dir, `config-${++seq}.yaml`);
    writeFileSync(file, `sendpulse: { baseUrl: "${sim.url}", timeout: 2s }
redis: { url: "${redis.url}", prefix: ${prefix} }
server: { host: 127.0.0.1, port: 0 }
accounts:
${accountsYaml}
${extraYaml}`);
    return file;
  };
  return {
    redis,
    sim,
    dir,
    writeConfig,
    config: (a, e, p) => loadConfig({ file: writeConfig(a, e, p), env: {} }),
    close: async () => {
      await sim.close();
      await redis.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A `sendpulse-monitor` child process with its output collected. */
export interface CliProcess {
  proc: ChildProcess;
  /** stdout and stderr as they came. */
  output(): string;
  /** stdout alone (what a monitoring server reads from a plugin). */
  stdout(): string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  /** The metrics URL once the process logged it. */
  url(): Promise<string>;
}

/** Spawns the compiled CLI. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const proc = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stdout = '';
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); stdout += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | string>((res) => proc.once('exit', (code, sig) => res(code ?? sig ?? -1)));
  return {
    proc,
    output: () => out,
    stdout: () => stdout,
    exited,
    url: () => waitFor('the metrics URL in the log', () => /"url":"(http:\/\/[^"]+)"/.exec(out)?.[1], 20000),
  };
}

/** True when the process at `url` answers /readyz with 200 (its start-up done). */
export async function isReady(url: string): Promise<boolean> {
  const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) });
  await res.text();
  return res.status === 200;
}

/** SIGKILLs every process of `procs` still running, waits for each to end, and empties the list. */
export async function killAll(procs: CliProcess[]): Promise<void> {
  for (const p of procs.splice(0)) {
    if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
    await p.exited;
  }
}
