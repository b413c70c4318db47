import { COMPRESSION, INTERVALS_S, OAUTH_EVERY, TOKEN_TTL_S, type saturationPlan } from './bench-plan';
import type { MachineInfo } from './machine-info';
import { formatStatusPage, type StatusPageResult } from './measure-status-page';
import type { LimitedResult, ScaleResult } from './run-scale';
import type { WorkersResult } from './run-workers';

/** Everything a run measured. */
export interface BenchReport {
  machine: MachineInfo;
  endLoad: string;
  quick: boolean;
  minutes: number;
  scales: ScaleResult[];
  /** The largest scale again inside memory limits (cgroups); absent or empty when not measured. */
  limited?: LimitedResult[];
  workers: { plan: ReturnType<typeof saturationPlan>; results: WorkersResult[] };
  /** The same saturation run on a three-master Redis Cluster (`--cluster`); absent without it. */
  clusterWorkers?: { plan: ReturnType<typeof saturationPlan>; results: WorkersResult[] };
  /** `redis.shards` of the cluster part; default 3. */
  clusterShards?: number;
  /** The status page's overview at 1,000 and 10,000 accounts; absent when not measured. */
  statusPage?: StatusPageResult[];
}

const f = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

/** RESULTS.md: the machine, the figures per scale, the request accounting, worker scaling and the targets. */
export function formatResults(r: BenchReport): string {
  const m = r.machine;
  const s = r.scales;
  const out: string[] = [];
  out.push('# Benchmark results', '');
  out.push(`Written by \`npm run bench${r.quick ? ' -- --quick' : ''}\` (bench/run-bench.ts) on ${m.date}; the run took ${f(r.minutes, 1)} min.`, '');
  out.push('## Machine', '');
  out.push(`- CPU: ${m.cpu}, ${m.cores} cores; RAM ${m.ramGiB} GiB; ${m.os}`);
  out.push(`- Node ${m.node}; redis-server ${m.redis}`);
  out.push(`- Load average (1, 5, 15 min) at the start: ${m.load}; at the end: ${r.endLoad}. The simulator, Redis, the monitor and the bare loop share these cores, and other work on the machine adds noise.`, '');
  out.push('## Setup', '');
  out.push(`- Intervals compressed by a factor of ${COMPRESSION}: balance 5 m → ${INTERVALS_S.balance} s, userInfo and team 1 h → ${INTERVALS_S.userInfo / 60} min; OAuth token lifetime 1 h → ${TOKEN_TTL_S / 60} min. The load is ${COMPRESSION}× what these accounts make in production: 10,000 accounts here poll like 100,000 real ones.`);
  out.push(`- Every ${OAUTH_EVERY}th account uses OAuth client credentials, the others an API key. All three endpoints are polled.`);
  out.push('- The simulator (`bench/sim-process.ts`), the monitor (`sendpulse-monitor run`, one process, default concurrency 32) and the bare loop each run in their own process; Redis is a private `redis-server` flushed between scales.');
  out.push('- Polls per second and CPU are measured over a window after a warm-up (schedules registered, the first polls under way); polls are the 200 answers the simulator counted. Lag is `sendpulse_poll_lag_seconds` over the window (the poll schedule\'s due time against the claim that started the poll), quantiles interpolated in its buckets as `histogram_quantile` does. RSS is the peak sampled each second. `/metrics` is scraped every 15 s during the window, as Prometheus would (with `Accept-Encoding: gzip`; so its cost is in the CPU per poll and its effect in the lag), and timed end to end.');
  out.push('- The bare loop (`bench/bare-loop.ts`) polls the same accounts and endpoints at the same intervals with plain undici and a timer per schedule: no Redis, no BullMQ, no budget, no state, no metrics. It runs right after the monitor, against the same simulator, for the same window.', '');
  out.push('## Per scale (one worker process)', '');
  out.push(row(['accounts', 'polls/s (long-run average due)', 'lag p50', 'lag p99', 'CPU s / 1,000 polls', 'bare loop CPU s / 1,000', 'overhead', 'RSS MiB peak (at window start)', 'Redis used_memory MiB', '/metrics median (max) ms', '/metrics KiB on the wire (as text)', 'ready after s']));
  out.push(row(Array(12).fill('---')));
  for (const x of s) {
    out.push(row([x.accounts.toLocaleString('en'), `${f(x.pollsPerS, 1)} (${f(x.expectedPollsPerS, 1)})`, `${f(x.lagP50, 3)} s`, `${f(x.lagP99, 3)} s`, f(x.cpuPer1000, 3), f(x.bare.cpuPer1000, 3), `${f(x.overhead, 1)}×`, `${f(x.rssMiB, 0)} (${f(x.rssStartMiB, 0)})`, f(x.redisMiB, 1), `${f(x.scrapeMsMedian, 0)} (${f(x.scrapeMsMax, 0)})`, `${f(x.scrapeWireKiB, 0)} (${f(x.scrapeKiB, 0)})`, f(x.startupMs / 1000, 1)]));
  }
  out.push('', 'Other processes per 1,000 polls of the monitor (CPU s): ' + s.map((x) => `${x.accounts.toLocaleString('en')} accounts: Redis ${f(x.cpuRedisPer1000, 3)}, simulator ${f(x.cpuSimPer1000, 3)}`).join('; ') + '.');
  out.push('Redis commands per poll (Redis CPU µs per poll; busiest commands): ' + s.map((x) => `${x.accounts.toLocaleString('en')} accounts: ${f(x.redisPerPoll.calls, 1)} (${f(x.redisPerPoll.usec, 0)} µs; ${x.redisPerPoll.top})`).join('; ') + '.');
  out.push('Bare loop: ' + s.map((x) => `${x.accounts.toLocaleString('en')} accounts: ${f(x.bare.pollsPerS, 1)} polls/s, lag p50 ${f(x.bare.lagP50, 3)} s / p99 ${f(x.bare.lagP99, 3)} s, RSS ${f(x.bare.rssMiB, 0)} MiB`).join('; ') + '.', '');
  if (r.limited && r.limited.length > 0) out.push(...formatLimited(r.limited), '');
  out.push('## Requests per account-hour against the minimum', '');
  out.push('Counted in the simulator\'s request log from the monitor\'s start to the end of the measurement window. The minimum for each (account, endpoint) is the runs its schedule had due until the end of the window (a poll runs at its first run + k × interval, read from the poll schedule after the run; one per token lifetime for OAuth tokens, counted from the first token request): the fewest that keep every value as fresh as configured. Counting from each account\'s first *request* instead (as runs before 2026-11-30 did) makes an account whose first poll started late in the start-up burst look as if it polled once too often.', '');
  out.push(row(['accounts', 'made per account-hour', 'minimum per account-hour', 'made / minimum', 'by endpoint: made / minimum (failed)']));
  out.push(row(Array(5).fill('---')));
  for (const x of s) {
    const q = x.requests;
    const eps = Object.entries(q.byEndpoint).map(([e, v]) => `${e} ${v.made} / ${v.minimum} (${v.failed})`).join('; ');
    out.push(row([x.accounts.toLocaleString('en'), f(q.madePerAccountHour, 1), f(q.minimumPerAccountHour, 1), f(q.made / Math.max(1, q.minimum), 3), eps]));
  }
  out.push('', '## Worker processes on one Redis (saturated)', '');
  const p = r.workers.plan;
  out.push(`${p.accounts.toLocaleString('en')} accounts, every endpoint due every ${p.intervalS} s (${(p.accounts * 3 / p.intervalS).toLocaleString('en')} polls/s due: more than any number of workers here can do), measured over ${p.measureS} s after ${p.warmupS} s of warm-up. Cores are CPU seconds per second over the window.`, '');
  out.push(row(['workers', 'polls/s', 'vs one worker', 'cores: workers', 'cores: Redis', 'cores: simulator', 'cores: total']));
  out.push(row(Array(7).fill('---')));
  const one = r.workers.results[0]?.pollsPerS ?? NaN;
  for (const w of r.workers.results) {
    out.push(row([w.workers, f(w.pollsPerS, 0), `${f(w.pollsPerS / one, 2)}×`, f(w.workerCores), f(w.redisCores), f(w.simCores), f(w.workerCores + w.redisCores + w.simCores)]));
  }
  const cw = r.clusterWorkers?.results ?? [];
  if (cw.length > 0) {
    out.push('', '## Worker processes on a three-master Redis Cluster (saturated)', '');
    out.push('The same plan, right after the single-Redis part, against three `redis-server --cluster-enabled yes` masters on loopback (no replicas, slots split by `redis-cli --cluster create`), config `redis: { cluster: { nodes: [...] } }`. With `redis.shards: ' + String(r.clusterShards ?? 3) + '` the accounts are spread over that many hash tags (README, "Shards": with 3, one per master); the share of the commands each master served during the window is in the last column. Redis cores are the three nodes together.', '');
    out.push(row(['workers', 'polls/s on the cluster', 'vs one worker on the cluster', 'polls/s on one Redis (table above)', 'cluster vs one Redis', 'cores: workers', 'cores: Redis (3 nodes)', 'cores: simulator', 'cores: total', 'commands per master']));
    out.push(row(Array(10).fill('---')));
    const cOne = cw[0].pollsPerS;
    for (const w of cw) {
      const single = r.workers.results.find((x) => x.workers === w.workers);
      out.push(row([w.workers, f(w.pollsPerS, 0), `${f(w.pollsPerS / cOne, 2)}×`, single ? f(single.pollsPerS, 0) : '-', single ? `${f(w.pollsPerS / single.pollsPerS, 2)}×` : '-', f(w.workerCores), f(w.redisCores), f(w.simCores), f(w.workerCores + w.redisCores + w.simCores),
        w.masterShares ? w.masterShares.map((x) => `${f(100 * x, 0)} %`).join(', ') : '-']));
    }
  }
  if (r.statusPage && r.statusPage.length > 0) out.push('', formatStatusPage(r.statusPage));
  out.push('', '## Targets', '');
  const big = s.find((x) => x.accounts === 10_000);
  const two = r.workers.results.find((w) => w.workers === 2);
  const check = (ok: boolean | undefined) => (ok === undefined ? 'not measured in this run' : ok ? 'met' : '**missed**');
  out.push(row(['target', 'measured', '']));
  out.push(row(['---', '---', '---']));
  out.push(row(['10,000 accounts on one worker, p99 lag < 2 s', big ? `${f(big.lagP99, 3)} s` : '-', check(big && big.lagP99 < 2)]));
  const mid = s.filter((x) => x.accounts >= 1000);
  out.push(row(['Redis commands per poll ≤ 40 (BullMQ\'s included), 1,000 and 10,000 accounts', mid.map((x) => f(x.redisPerPoll.calls, 1)).join(', ') || '-', check(mid.length > 0 ? mid.every((x) => x.redisPerPoll.calls <= 40) : undefined)]));
  out.push(row(['CPU per poll ≤ 2.5× the bare loop, 1,000 and 10,000 accounts', mid.map((x) => `${f(x.overhead, 1)}×`).join(', ') || '-', check(mid.length > 0 ? mid.every((x) => x.overhead <= 2.5) : undefined)]));
  out.push(row(['/metrics at 10,000 accounts: median ≤ 250 ms, slowest ≤ 500 ms', big ? `${f(big.scrapeMsMedian, 0)} ms median, ${f(big.scrapeMsMax, 0)} ms slowest` : '-', check(big && big.scrapeMsMedian <= 250 && big.scrapeMsMax <= 500)]));
  out.push(row(['/metrics at 10,000 accounts ≤ 3 MB on the wire (gzip)', big ? `${f(big.scrapeWireKiB / 1024, 2)} MiB (${f(big.scrapeKiB / 1024, 1)} MiB as text)` : '-', check(big && big.scrapeWireKiB * 1024 <= 3e6)]));
  out.push(row(['RSS ≤ 250 MB peak at 10,000 accounts', big ? `${f(big.rssMiB * 1.048576, 0)} MB` : '-', check(big && big.rssMiB * 1.048576 <= 250)]));
  for (const l of (r.limited ?? []).filter((x) => x.accounts === 10_000)) {
    const label = `RSS ≤ 250 MB peak at 10,000 accounts, in a ${l.limitMiB} MiB memory limit`;
    if (l.outcome === 'killed') out.push(row([label, 'killed for going over the limit', check(false)]));
    if (l.outcome === 'measured') out.push(row([label, `${f(l.rssMiB * 1.048576, 0)} MB`, check(l.rssMiB * 1.048576 <= 250)]));
  }
  out.push(row(['requests made / minimum = 1.000 at every scale', s.map((x) => f(x.requests.made / Math.max(1, x.requests.minimum), 3)).join(', '), check(s.length > 0 ? s.every((x) => Math.abs(x.requests.made / Math.max(1, x.requests.minimum) - 1) < 0.005) : undefined)]));
  const page = r.statusPage?.find((x) => x.accounts === 10_000);
  out.push(row(['status page overview at 10,000 accounts < 1 s', page ? `${f(page.overviewMsMax, 0)} ms (slowest)` : '-', check(page && page.overviewMsMax < 1000)]));
  out.push(row(['two workers ≥ 1.8× one', two ? `${f(two.pollsPerS / one, 2)}×` : '-', check(two && two.pollsPerS / one >= 1.8)]));
  const cTwo = cw.find((w) => w.workers === 2);
  if (cTwo) out.push(row(['two workers ≥ 1.8× one, on the cluster', `${f(cTwo.pollsPerS / cw[0].pollsPerS, 2)}×`, check(cTwo.pollsPerS / cw[0].pollsPerS >= 1.8)]));
  const busiest = cw.length > 0 && cw.every((w) => w.masterShares) ? Math.max(...cw.flatMap((w) => w.masterShares!)) : undefined;
  if (busiest !== undefined) out.push(row([`no cluster master serves more than 40 % of the commands (${r.clusterShards ?? 3} shards)`, `${f(100 * busiest, 0)} % (busiest master, any run)`, check(busiest <= 0.4)]));
  const cOne = cw[0];
  const sOne = r.workers.results[0];
  if (cOne && sOne) out.push(row([`one worker on the ${r.clusterShards ?? 3}-shard cluster ≥ one worker on one Redis (saturated)`, `${f(cOne.pollsPerS / sOne.pollsPerS, 2)}×`, check(cOne.pollsPerS >= sOne.pollsPerS)]));
  out.push('');
  return out.join('\n');
}

/** The "In a memory limit" section: the largest scale run again in each limit. */
function formatLimited(limited: LimitedResult[]): string[] {
  const out = ['## In a memory limit (as in a container)', ''];
  out.push(`The largest scale again, the monitor alone inside a memory cgroup of the given limit, as a container with \`resources.limits.memory\` runs it: the kernel kills the process past the limit, and Node sizes its heap from the limit (Node ${process.versions.node}, measured on this machine: about half the limit, at least ~256 MB), where with no limit it takes a share of the machine's memory (up to ~4 GB) and V8 lets the heap grow further past what is live between full collections the larger that heap limit is. Same plan, warm-up and window as the scale's own run, scraped the same way.`, '');
  out.push(row(['accounts', 'memory limit', 'polls/s (long-run average due)', 'lag p99', 'CPU s / 1,000 polls', 'RSS MiB peak (at window start)', '/metrics median ms', 'killed for memory']));
  out.push(row(Array(8).fill('---')));
  for (const l of limited) {
    const n = l.accounts.toLocaleString('en');
    if (l.outcome === 'skipped') out.push(row([n, `${l.limitMiB} MiB`, `not measured: ${l.why}`, '', '', '', '', '']));
    else if (l.outcome === 'killed') out.push(row([n, `${l.limitMiB} MiB (cgroup ${l.cgroup})`, 'killed before the window ended', '', '', '', '', String(l.oomKills)]));
    else out.push(row([n, `${l.limitMiB} MiB (cgroup ${l.cgroup})`, `${f(l.pollsPerS, 1)} (${f(l.expectedPollsPerS, 1)})`, `${f(l.lagP99, 3)} s`, f(l.cpuPer1000, 3), `${f(l.rssMiB, 0)} (${f(l.rssStartMiB, 0)})`, f(l.scrapeMsMedian, 0), String(l.oomKills)]));
  }
  return out;
}
