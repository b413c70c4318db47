import type { Redis } from 'ioredis';

/** Calls per Redis command so far (INFO commandstats), with the microseconds Redis spent in them. */
export async function commandStats(redis: Redis): Promise<Map<string, { calls: number; usec: number }>> {
  const out = new Map<string, { calls: number; usec: number }>();
  for (const m of (await redis.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=(\d+),usec=(\d+)/g)) {
    out.set(m[1], { calls: Number(m[2]), usec: Number(m[3]) });
  }
  return out;
}

/** Redis commands and Redis CPU microseconds per poll between two reads, and the busiest commands. */
export function perPoll(a: Map<string, { calls: number; usec: number }>, b: Map<string, { calls: number; usec: number }>, polls: number): { calls: number; usec: number; top: string } {
  const rows: [string, number, number][] = [];
  for (const [cmd, v] of b) {
    if (cmd === 'info') continue;
    const p = a.get(cmd) ?? { calls: 0, usec: 0 };
    if (v.calls > p.calls) rows.push([cmd, (v.calls - p.calls) / polls, (v.usec - p.usec) / polls]);
  }
  rows.sort((x, y) => y[2] - x[2]);
  return {
    calls: rows.reduce((s, r) => s + r[1], 0),
    usec: rows.reduce((s, r) => s + r[2], 0),
    top: rows.slice(0, Number(process.env.BENCH_TOP ?? 5)).map(([c, n, u]) => `${c} ${n.toFixed(2)} (${u.toFixed(0)} µs)`).join(', '),
  };
}
