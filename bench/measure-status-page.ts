import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { planConfig } from '../src/budget/planner';
import { RequestBudget } from '../src/budget/request-budget';
import { loadConfig } from '../src/config/load-config';
import { childLogger } from '../src/logger';
import { HISTORY_POINTS } from '../src/state/history-store';
import { startHttpServer } from '../src/server/http-server';
import { StatusPages } from '../src/status/status-pages';
import { StatusReader } from '../src/status/status-reader';
import { fillStatusState } from './fill-status-state';
import { writeMonitorConfig } from './monitor-config';

/** The status page's cost at one number of accounts. */
export interface StatusPageResult {
  accounts: number;
  /** Seconds to write the state into Redis (not part of the page's cost). */
  fillS: number;
  /** GET / (50 rows, worst first): median and slowest of the timed requests, ms, and the page's size. */
  overviewMsMedian: number;
  overviewMsMax: number;
  overviewKiB: number;
  /** GET /?per=500: the largest page. */
  bigPageMs: number;
  bigPageKiB: number;
  /** GET /api/v1/accounts (50 rows). */
  apiMs: number;
  apiKiB: number;
  /** GET /accounts/NAME of a firing account. */
  accountMs: number;
}

const RUNS = 9;
const WINDOW_MS = 7 * 86_400_000;

async function timed(url: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const res = await request(url);
  const body = await res.body.text();
  const ms = performance.now() - t0;
  if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
  return { ms, bytes: Buffer.byteLength(body) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * For each N: writes N accounts' state straight into the (private, flushed) Redis, full history
 * included (120 points per chart series, the most the store keeps), serves the status pages from
 * this process with nothing polling, and times GET / end to end over HTTP.
 */
export async function measureStatusPage(redisUrl: string, dir: string, scales: number[], log: (l: string) => void): Promise<StatusPageResult[]> {
  const out: StatusPageResult[] = [];
  const redis = new Redis(redisUrl);
  try {
    for (const n of scales) {
      await redis.flushall();
      const file = join(dir, `status-${n}.yaml`);
      writeMonitorConfig({ file, simUrl: 'http://127.0.0.1:9', redisUrl, prefix: 'spm-status', port: 0, accounts: n, intervalsS: { balance: 300, userInfo: 3600, team: 3600 } });
      const config = loadConfig({ file, env: {} });
      const now = Date.now();
      const t0 = performance.now();
      await fillStatusState(redis, { prefix: config.redis.prefix, accounts: n, points: HISTORY_POINTS, windowMs: WINDOW_MS, now });
      const fillS = (performance.now() - t0) / 1000;
      const plan = planConfig(config);
      const budget = new RequestBudget({ redis, prefix: config.redis.prefix, accounts: config.accounts });
      const pages = new StatusPages(new StatusReader({ redis, config, plan, budget }), { version: 'bench', refreshSeconds: 15, windowMs: WINDOW_MS, unavailable: () => null });
      const server = await startHttpServer({ host: '127.0.0.1', port: 0 }, {
        registry: new Registry(), beforeScrape: async () => undefined, notReadyReason: async () => null,
        pages: (path, params) => pages.handle(path, params), version: 'bench', log: childLogger({ component: 'bench' }),
      });
      try {
        await timed(`${server.url}/`); // warm-up: JIT, first connections
        const runs: { ms: number; bytes: number }[] = [];
        for (let i = 0; i < RUNS; i++) runs.push(await timed(`${server.url}/`));
        const big = await timed(`${server.url}/?per=500`);
        const api = await timed(`${server.url}/api/v1/accounts`);
        const account = await timed(`${server.url}/accounts/acct-00010`);
        const r: StatusPageResult = {
          accounts: n, fillS, overviewMsMedian: median(runs.map((x) => x.ms)), overviewMsMax: Math.max(...runs.map((x) => x.ms)),
          overviewKiB: runs[0].bytes / 1024, bigPageMs: big.ms, bigPageKiB: big.bytes / 1024, apiMs: api.ms, apiKiB: api.bytes / 1024, accountMs: account.ms,
        };
        log(`status page at ${n} accounts: GET / ${r.overviewMsMedian.toFixed(1)} ms median (max ${r.overviewMsMax.toFixed(1)}), ${r.overviewKiB.toFixed(0)} KiB; ?per=500 ${r.bigPageMs.toFixed(0)} ms, ${r.bigPageKiB.toFixed(0)} KiB`);
        out.push(r);
      } finally {
        await server.close();
      }
    }
    await redis.flushall();
  } finally {
    redis.disconnect();
  }
  return out;
}

/** The results as a Markdown section. */
export function formatStatusPage(results: readonly StatusPageResult[]): string {
  const f = (n: number, d = 1) => n.toFixed(d);
  return [
    '## Status page', '',
    `The overview \`GET /\` (50 rows, worst first), the largest page (\`?per=500\`), \`/api/v1/accounts\` and an account page, timed end to end over HTTP (median of ${RUNS} after a warm-up) with N accounts' state written straight into Redis: readings, ${HISTORY_POINTS} history points per chart series, every 10th account critical and every 7th warning. Nothing polls meanwhile (bench/measure-status-page.ts).`, '',
    '| accounts | GET / median (max) ms | GET / KiB | ?per=500 ms | ?per=500 KiB | /api/v1/accounts ms (KiB) | /accounts/NAME ms |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...results.map((r) => `| ${r.accounts.toLocaleString('en')} | ${f(r.overviewMsMedian)} (${f(r.overviewMsMax)}) | ${f(r.overviewKiB, 0)} | ${f(r.bigPageMs, 0)} | ${f(r.bigPageKiB, 0)} | ${f(r.apiMs)} (${f(r.apiKiB, 0)}) | ${f(r.accountMs)} |`),
    '',
  ].join('\n');
}
