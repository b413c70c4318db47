import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A memory cgroup to run the monitor in, as a container with `resources.limits.memory` runs it: the
 * kernel enforces the limit (OOM kill past it), and Node sizes its heap from it (Node 20 reads the
 * constrained memory: heap limit about half the limit, at least ~256 MB; measured on this machine).
 */
export interface MemoryCgroup {
  /** cgroup v1 (`/sys/fs/cgroup/memory/NAME`) or v2 (`/sys/fs/cgroup/NAME`). */
  kind: 'v1' | 'v2';
  /** The group's directory. */
  dir: string;
  /**
   * A command line (`[file, ...args]`) that moves itself into the group, then execs `cmd`: so the
   * process starts inside it (its pid stays the same) and Node sees the limit when it sizes its heap.
   */
  wrap(cmd: string[]): string[];
  /** How many processes of the group the kernel killed for going over the limit. */
  oomKills(): number;
  /** Removes the group (it must be empty: the process exited). */
  remove(): void;
}

const V1 = '/sys/fs/cgroup/memory';
const V2 = '/sys/fs/cgroup';

/**
 * Makes a memory cgroup `name` limited to `limitBytes`, or returns null when this machine does not
 * let us (not root, no memory controller): the caller says the measurement was skipped and why.
 */
export function makeMemoryCgroup(name: string, limitBytes: number): MemoryCgroup | null {
  try {
    if (existsSync(join(V1, 'memory.limit_in_bytes'))) {
      const dir = join(V1, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
      return handle('v1', dir, () => counter(join(dir, 'memory.oom_control'), 'oom_kill'));
    }
    if (readFileSync(join(V2, 'cgroup.subtree_control'), 'utf8').split(/\s+/).includes('memory')) {
      const dir = join(V2, name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'memory.max'), String(limitBytes));
      return handle('v2', dir, () => counter(join(dir, 'memory.events'), 'oom_kill'));
    }
  } catch {
    // Not root, or a read-only cgroup filesystem (inside a container): no group.
  }
  return null;
}

function handle(kind: 'v1' | 'v2', dir: string, oomKills: () => number): MemoryCgroup {
  return {
    kind,
    dir,
    wrap: (cmd) => ['/bin/sh', '-c', `echo $$ > '${join(dir, 'cgroup.procs')}' && exec "$@"`, 'sh', ...cmd],
    oomKills,
    remove: () => { try { rmdirSync(dir); } catch { /* still busy: left for the next run to reuse */ } },
  };
}

/** A `key value` line of a cgroup stats file; 0 when absent (older kernels do not count OOM kills). */
function counter(file: string, key: string): number {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(readFileSync(file, 'utf8'));
  return m ? Number(m[1]) : 0;
}
