import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

/** The machine a benchmark ran on, as RESULTS.md states it. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  ramGiB: number;
  node: string;
  redis: string;
  os: string;
  date: string;
  load: string;
}

/** Reads the CPU model, cores, RAM, Node and redis-server versions, the OS and the load average now. */
export function machineInfo(): MachineInfo {
  const redis = /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  let os = 'Linux';
  try {
    os = /PRETTY_NAME="([^"]+)"/.exec(execFileSync('cat', ['/etc/os-release'], { encoding: 'utf8' }))?.[1] ?? os;
  } catch { /* not Linux: keep the default */ }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    redis,
    os,
    date: new Date().toISOString(),
    load: loadavg().map((l) => l.toFixed(2)).join(', '),
  };
}
