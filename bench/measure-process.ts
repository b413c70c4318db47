import { readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ on Linux x86-64

/** CPU seconds (user + system) a live process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICKS_PER_S;
}

/** Resident set size of a live process in bytes, from /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Samples the RSS of some processes every `everyMs` and keeps the peak of each. */
export function watchPeakRss(pids: number[], everyMs = 1000): { peaks(): number[]; stop(): void } {
  const peaks = pids.map(() => 0);
  const sample = () => pids.forEach((p, i) => { try { peaks[i] = Math.max(peaks[i], rssBytes(p)); } catch { /* exited */ } });
  sample();
  const t = setInterval(sample, everyMs);
  return { peaks: () => (sample(), [...peaks]), stop: () => clearInterval(t) };
}
