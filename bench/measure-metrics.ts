import { gunzipSync } from 'node:zlib';
import { request } from 'undici';

/** One /metrics scrape: how long it took, how big it was on the wire and as text, and the text. */
export interface Scrape {
  ms: number;
  /** The text's size. */
  bytes: number;
  /** What crossed the wire (gzip-compressed when the monitor compressed it). */
  wireBytes: number;
  text: string;
}

/** Fetches `<url>/metrics` as Prometheus does (Accept-Encoding: gzip) and times it end to end (headers and whole body). */
export async function scrape(url: string): Promise<Scrape> {
  const t0 = performance.now();
  const res = await request(`${url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
  const body = Buffer.from(await res.body.arrayBuffer());
  const ms = performance.now() - t0;
  if (res.statusCode !== 200) throw new Error(`/metrics answered ${res.statusCode}`);
  const text = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
  return { ms, bytes: Buffer.byteLength(text), wireBytes: body.length, text };
}

/** A Prometheus histogram read from the text format: cumulative counts by upper bound. */
export interface HistogramSample {
  buckets: [number, number][];
  count: number;
  sum: number;
}

/** Reads an unlabelled histogram `name` from the exposition text (zeros when absent). */
export function readHistogram(text: string, name: string): HistogramSample {
  const buckets: [number, number][] = [];
  let count = 0;
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}_bucket{`)) {
      const le = /le="([^"]+)"/.exec(line)![1];
      buckets.push([le === '+Inf' ? Infinity : Number(le), Number(line.slice(line.lastIndexOf(' ') + 1))]);
    } else if (line.startsWith(`${name}_count`)) count = Number(line.split(' ')[1]);
    else if (line.startsWith(`${name}_sum`)) sum = Number(line.split(' ')[1]);
  }
  return { buckets, count, sum };
}

/** Sums a counter over all its label sets, optionally only the lines containing `filter`. */
export function sumCounter(text: string, name: string, filter = ''): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if ((line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && line.includes(filter)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

/** The observations between two reads of one histogram. */
export function diffHistogram(a: HistogramSample, b: HistogramSample): HistogramSample {
  return {
    buckets: b.buckets.map(([le, c], i) => [le, c - (a.buckets[i]?.[1] ?? 0)]),
    count: b.count - a.count,
    sum: b.sum - a.sum,
  };
}

/**
 * The q-quantile of a histogram, interpolated linearly inside its bucket as PromQL's
 * histogram_quantile does; the lowest bound when it falls in the first bucket, the highest finite
 * bound (a floor, reported as "> x") when it falls in +Inf.
 */
export function quantile(h: HistogramSample, q: number): number {
  if (h.count === 0) return NaN;
  const rank = q * h.count;
  let prevLe = 0;
  let prevC = 0;
  for (const [le, c] of h.buckets) {
    if (c >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + (le - prevLe) * ((rank - prevC) / Math.max(1e-9, c - prevC));
    }
    prevLe = le;
    prevC = c;
  }
  return prevLe;
}
