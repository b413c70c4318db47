/**
 * Writing metric families straight into the Prometheus text format, for the per-account families:
 * at 10,000 accounts they are hundreds of thousands of series, and prom-client's Gauges (a label hash
 * per series, rebuilt on every scrape) blocked the event loop for seconds (bench/RESULTS.md).
 */

/** A label value escaped for the text format (backslash, newline, double quote). */
export function esc(v: string): string {
  return /[\\\n"]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : v;
}

/** A sample value as prom-client writes it. */
export function val(n: number): string {
  if (Number.isNaN(n)) return 'Nan';
  if (!Number.isFinite(n)) return n < 0 ? '-Inf' : '+Inf';
  return String(n);
}

/** One family: HELP, TYPE and its sample lines (each ending in a newline). */
export function family(name: string, help: string, type: 'gauge' | 'counter', samples: readonly string[]): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${samples.join('')}`;
}
