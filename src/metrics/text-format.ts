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

/**
 * `text` as one flat string. V8 builds `a + b` and template literals as ropes (a tree of
 * concatenation nodes, 20-32 bytes each, over the pieces), and keeps them so while they live: a
 * heap snapshot at 10,000 accounts held 1.4 million rope nodes (44 MB) under the cached metric
 * text and the counters' label keys. A copy through UTF-8 is flat (one byte per character for ASCII):
 * 190,000 cached three-line samples took 78 MB instead of 136 MB in a measurement. Costs a copy:
 * use it for text kept long, not for text thrown away after a scrape.
 */
export function flatString(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}
