import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { Registry } from 'prom-client';
import { ENDPOINTS, type MonitorConfig } from './config/types';
import { ENDPOINT_DEFS } from './sendpulse/endpoints';
import { registerBudgetMetrics } from './budget/budget-metrics';
import { planWarnings } from './budget/plan-warnings';
import { effectiveIntervalFor, planConfig } from './budget/planner';
import { RequestBudget } from './budget/request-budget';
import { BudgetExhaustedError } from './errors';
import { childLogger } from './logger';
import { AccountMetrics } from './metrics/account-metrics';
import { createClientMetrics } from './metrics/client-metrics';
import { registerProcessMetrics } from './metrics/process-metrics';
import { AuthBackoff } from './poller/auth-backoff';
import { createPollLag, jobDueMs } from './metrics/poll-lag';
import type { MonitorContext, MonitorPlugin } from './monitor-plugin';
import { defaultPlugins } from './plugins';
import { runPoll, type PollDeps } from './poller/run-poll';
import { keepSchedules } from './poller/schedule-keeper';
import type { PollJobData } from './poller/schedule-sync';
import { SendPulseClient } from './sendpulse/sendpulse-client';
import { TokenStore } from './sendpulse/token-store';
import { createRedis } from './state/redis-connection';
import { ReadingStore } from './state/reading-store';
import { startHttpServer, type RunningServer } from './server/http-server';
import { StatusPages } from './status/status-pages';
import { StatusReader } from './status/status-reader';
import { STALLED_CHECK_MS, STALLED_LOCK_MS } from './stalled-jobs';
import { VERSION } from './version';

/** The BullMQ queue the poll jobs run on. */
export const POLL_QUEUE = 'poll';

/** Options of a monitor process; defaults next to each. */
export interface MonitorOptions {
  /** What runs beside the polls (metrics, hooks after each poll, workers of their own); default src/plugins.ts (the built-in alerts). */
  plugins?: MonitorPlugin[];
}

/** How often the status pages update themselves, s: the shortest poll interval, between 5 s and 60 s. */
function statusRefreshSeconds(config: MonitorConfig, intervalFor: (a: MonitorConfig['accounts'][number], e: (typeof ENDPOINTS)[number]) => number): number {
  const shortest = Math.min(...config.accounts.flatMap((a) => ENDPOINTS.map((e) => intervalFor(a, e))));
  return Math.round(Math.min(60, Math.max(5, shortest / 1000)));
}

/** A running monitor. */
export interface Monitor {
  url: string;
  registry: Registry;
  /** Stop taking jobs, finish those in flight (at most `graceMs`), close everything. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Starts one monitor process: the poll queue's schedulers (made idempotent across replicas), a worker
 * that runs the polls, and the HTTP server whose /metrics reads every account's state from Redis.
 */
export async function startMonitor(config: MonitorConfig, options: MonitorOptions = {}): Promise<Monitor> {
  const log = childLogger({ component: 'worker' });
  const prefix = config.redis.prefix;
  if (config.redis.prefixAsWritten !== undefined) {
    log.info({ prefix, written: config.redis.prefixAsWritten }, 'Redis Cluster: key prefix wrapped in a hash tag so that every key of a queue lands in one slot');
  }
  const redis = createRedis(config.redis, log, { name: 'spm-state' });
  const queueConn = createRedis(config.redis, log, { name: 'spm-queue' });
  const workerConn = createRedis(config.redis, log, { blocking: true, name: 'spm-worker' });
  const registry = new Registry();
  registerProcessMetrics(registry);
  const metrics = createClientMetrics(registry, config.accounts.map((a) => a.name));
  const store = new ReadingStore(redis, prefix);
  const accounts = new Map(config.accounts.map((a) => [a.name, a]));
  // The plan stretches intervals that do not fit the budget (run refuses before this when told to).
  const plan = planConfig(config);
  for (const warning of planWarnings(plan)) log.warn(warning);
  const intervalFor = effectiveIntervalFor(plan);
  const budget = new RequestBudget({ redis, prefix, accounts: config.accounts });
  const budgetMetrics = registerBudgetMetrics(registry, budget, plan);
  const plugins = options.plugins ?? defaultPlugins(config);
  const ctx: MonitorContext = { config, redis, registry, store, intervalFor };
  for (const p of plugins) await p.register?.(ctx);

  const client = new SendPulseClient({
    baseUrl: config.sendpulse.baseUrl,
    timeoutMs: config.sendpulse.timeout,
    tokens: new TokenStore(redis, prefix, { lockTtlMs: config.sendpulse.timeout * 2 }),
    gate: budget,
    metrics,
  });
  const deps: PollDeps = {
    client,
    store,
    authBackoff: new AuthBackoff(redis, prefix, config.sendpulse.authBackoff),
    metrics,
    log,
    onPolled: async (account, endpoint, outcome) => {
      for (const p of plugins) {
        // An alert hook that fails must not turn a good poll into a failed job.
        await p.onPolled?.(account, endpoint, outcome).catch((err: Error) => log.error({ err: err.message, account: account.name }, 'post-poll hook failed'));
      }
    },
  };

  const pollLag = createPollLag(registry);
  const queue = new Queue<PollJobData>(POLL_QUEUE, { connection: queueConn, prefix });
  queue.on('error', (err) => log.warn({ err: err.message }, 'poll queue error'));
  const schedules = await keepSchedules({
    queue, redis, prefix, accounts: config.accounts, endpoints: ENDPOINTS, intervalFor, log,
  });

  const worker = new Worker<PollJobData>(POLL_QUEUE, async (job: Job<PollJobData>, token?: string) => {
    const account = accounts.get(job.data.account);
    if (!account || !Object.prototype.hasOwnProperty.call(ENDPOINT_DEFS, job.data.endpoint)) return 'unknown';
    pollLag.observe(Math.max(0, (job.processedOn ?? Date.now()) - jobDueMs(job)) / 1000);
    try {
      return await runPoll(deps, account, job.data.endpoint);
    } catch (err) {
      if (err instanceof BudgetExhaustedError && token) {
        // A scheduled poll whose wait reaches its scheduler's next run is skipped: BullMQ made that next
        // job when this one started, so delaying would pile one job per interval onto a long pause
        // (after a 429, or a day budget used up) and send them all when it ends.
        if (job.repeatJobKey && err.delayMs >= intervalFor(account, job.data.endpoint)) return 'skipped';
        // Not a failure: wait, without using an attempt, until the budget has room again.
        await job.moveToDelayed(Date.now() + err.delayMs, token);
        throw new DelayedError();
      }
      throw err;
    }
  }, {
    connection: workerConn, prefix, concurrency: config.worker.concurrency, autorun: true,
    lockDuration: STALLED_LOCK_MS, stalledInterval: STALLED_CHECK_MS,
  });
  worker.on('error', (err) => log.warn({ err: err.message }, 'poll worker error'));

  const accountMetrics = new AccountMetrics(store, () => config.accounts);
  const pages = new StatusPages(new StatusReader({ redis, config, plan, budget }), {
    version: VERSION,
    refreshSeconds: statusRefreshSeconds(config, intervalFor),
    windowMs: config.alerts.runwayWindow,
    // As for /metrics: with Redis down every read would wait out its retries; say so at once instead.
    unavailable: () => (redis.status === 'ready' ? null : `redis is ${redis.status}`),
  });
  const server: RunningServer = await startHttpServer(config.server, {
    registry,
    beforeScrape: async () => {
      // With Redis down every read would wait out its retries (seconds each) and the scrape would
      // pass Prometheus' timeout: answer at once with the process's own metrics instead.
      if (redis.status !== 'ready') throw new Error(`redis is ${redis.status}`);
      return (await accountMetrics.refresh()) + (await budgetMetrics.text());
    },
    notReadyReason: async () => {
      if (redis.status !== 'ready') return `redis is ${redis.status}`;
      await redis.ping();
      if (!schedules.ready()) return 'schedules not registered yet';
      return null;
    },
    pages: (path, params) => pages.handle(path, params),
    version: VERSION,
    log,
  });
  log.info({ url: server.url, accounts: config.accounts.length }, 'serving metrics');

  return {
    url: server.url,
    registry,
    close: async (graceMs = 8000) => {
      schedules.stop();
      // Finish the polls in flight; past the grace period leave them to BullMQ's stalled-job
      // recovery (another replica, or this one after a restart, runs them again).
      const closing = worker.close();
      const timedOut = await Promise.race([
        closing.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
      ]);
      if (timedOut) await worker.close(true).catch(() => undefined);
      for (const p of plugins) await p.close?.().catch(() => undefined);
      await server.close();
      await queue.close().catch(() => undefined);
      await client.close().catch(() => undefined);
      for (const c of [redis, queueConn, workerConn]) c.disconnect();
    },
  };
}
