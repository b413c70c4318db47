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
 * Makes a memory cgroup `name` limited to `limitBytes` (swap included where the kernel accounts it,
 * so going over is a kill, not swapping), or says why it cannot: not root, no memory controller, a
 * read-only cgroup filesystem (inside a container). The caller reports the run as skipped with it.
 */
export function makeMemoryCgroup(name: string, limitBytes: number): MemoryCgroup | { error: string } {
  let made: string | null = null;
  try {
    if (existsSync(join(V1, 'memory.limit_in_bytes'))) {
      const dir = join(V1, name);
      mkdirSync(dir);
      made = dir;
      writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
      // Memory + swap, when swap accounting is on (the file exists only then); set after the memory limit, which it may not be below.
      if (existsSync(join(dir, 'memory.memsw.limit_in_bytes'))) writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(limitBytes));
      return handle('v1', dir, () => counter(join(dir, 'memory.oom_control'), 'oom_kill'));
    }
    if (!existsSync(join(V2, 'cgroup.subtree_control'))) return { error: 'no cgroup v1 memory controller or cgroup v2 hierarchy at /sys/fs/cgroup' };
    if (!readFileSync(join(V2, 'cgroup.subtree_control'), 'utf8').split(/\s+/).includes('memory')) return { error: 'the cgroup v2 memory controller is not enabled for child groups' };
    const dir = join(V2, name);
    mkdirSync(dir);
    made = dir;
    writeFileSync(join(dir, 'memory.max'), String(limitBytes));
    if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
    return handle('v2', dir, () => counter(join(dir, 'memory.events'), 'oom_kill'));
  } catch (err) {
    if (made) try { rmdirSync(made); } catch { /* nothing in it yet; gone or not, nothing else to do */ }
    return { error: (err as Error).message };
  }
}

function handle(kind: 'v1' | 'v2', dir: string, oomKills: () => number): MemoryCgroup {
  return {
    kind,
    dir,
    wrap: (cmd) => ['/bin/sh', '-c', `echo $$ > '${join(dir, 'cgroup.procs')}' && exec "$@"`, 'sh', ...cmd],
    oomKills,
    // The process has exited by now; if the kernel still counts it in, the empty group stays behind (harmless, named by the bench's pid).
    remove: () => { try { rmdirSync(dir); } catch { /* left behind, see above */ } },
  };
}

/** A `key value` line of a cgroup stats file; 0 when absent (older kernels do not count OOM kills). */
function counter(file: string, key: string): number {
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(readFileSync(file, 'utf8'));
  return m ? Number(m[1]) : 0;
}
