import { Queue, type Worker } from 'bullmq';
import { Registry } from 'prom-client';
import { ENDPOINTS, type Endpoint, type MonitorConfig } from './config/types';
import { budgetMetrics } from './budget/budget-metrics';
import { planWarnings } from './budget/plan-warnings';
import { effectiveIntervalFor, planConfig } from './budget/planner';
import { RequestBudget } from './budget/request-budget';
import { closeWithin } from './close-within';
import { ClosingError } from './errors';
import { childLogger } from './logger';
import { AccountMetrics } from './metrics/account-metrics';
import { createClientMetrics } from './metrics/client-metrics';
import { registerProcessMetrics } from './metrics/process-metrics';
import { registerRedisMetrics } from './metrics/redis-metrics';
import { AuthBackoff } from './poller/auth-backoff';
import { credentialChanges, pollChangedCredentials } from './poller/credential-changes';
import { createPollLag } from './metrics/poll-lag';
import type { MonitorContext, MonitorPlugin } from './monitor-plugin';
import { defaultPlugins } from './plugins';
import { PollRunner } from './poller/poll-runner';
import { PollSchedule } from './poller/poll-schedule';
import { POLL_LEASE_MS, POLL_QUEUE, pollFor, startPollWorker } from './poller/poll-worker';
import type { PollDeps } from './poller/run-poll';
import { keepSchedules, type ScheduleKeeper } from './poller/schedule-keeper';
import { moveAccountState, readShardChange, retireShards } from './poller/shard-change';
import { SendPulseClient } from './sendpulse/sendpulse-client';
import { TokenStore, type TokenProvider } from './sendpulse/token-store';
import { redisAddress } from './state/redis-address';
import { RedisConfigGuard } from './state/redis-config-check';
import { createRedis, REDIS_RETRY_MAX_MS, type RedisClient } from './state/redis-connection';
import { isRedisTrouble, logBullError, watchRedisHealth } from './state/redis-health';
import { retryOnRedisTrouble } from './state/retry-on-redis-trouble';
import { ReadingStore } from './state/reading-store';
import { Shards } from './state/shards';
import { startHttpServer, type RunningServer } from './server/http-server';
import { StatusPages } from './status/status-pages';
import { StatusReader } from './status/status-reader';
import { VERSION } from './version';

export { POLL_QUEUE };

/** Options of a monitor process; defaults next to each. */
export interface MonitorOptions {
  /** What runs beside the polls (metrics, hooks after each poll, workers of their own); default src/plugins.ts (the built-in alerts). */
  plugins?: MonitorPlugin[];
  /** How often Redis's eviction policy is read again while running; default 5 min. */
  redisConfigCheckMs?: number;
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
  /**
   * This process's own metrics as text: the registry's and the per-account counters kept as text
   * (sendpulse_api_requests_total, sendpulse_poll_errors_total); no Redis read. Still readable after close().
   */
  processMetrics(): Promise<string>;
  /**
   * Resolves once Redis answered and the schedules and workers run (startMonitor itself returns as soon
   * as the HTTP server listens); rejects when the monitor must not run on this Redis (RedisConfigError)
   * or was closed before (ClosingError).
   */
  started: Promise<void>;
  /** Stop taking jobs, finish those in flight (at most `graceMs`), close everything; safe to call at any time. */
  close(graceMs?: number): Promise<void>;
}

/** One shard's part of the monitor (src/state/shards.ts): its stores and poll schedule, and its lane queue, schedule keeper and worker once Redis answers. */
interface ShardSide {
  index: number;
  prefix: string;
  /** The config as the shard sees it: its prefix, its accounts. */
  config: MonitorConfig;
  store: ReadingStore;
  authBackoff: AuthBackoff;
  tokens: TokenStore;
  schedule: PollSchedule;
  /** The shard's index in the process's PollRunner, once its worker runs. */
  lane: number | null;
  schedules: ScheduleKeeper | null;
  queue: Queue | null;
  worker: Worker | null;
}

/** What runs once Redis answers; null fields are not started (yet). */
interface RedisSide {
  shards: ShardSide[];
  registered: MonitorPlugin[];
}

/**
 * Starts one monitor process. The HTTP server comes first and answers /healthz at once, and /readyz
 * with why it is not ready; then, whenever Redis answers: its eviction policy is checked, accounts
 * moved to their new shard if `redis.shards` changed, each shard's poll queue schedulers registered
 * (idempotent across replicas) and its poll worker started (one per shard, src/state/shards.ts), and
 * accounts whose credentials changed since the last start polled at once. Rejects (after releasing
 * what it opened) only when the server cannot listen (ListenError).
 */
export async function startMonitor(config: MonitorConfig, options: MonitorOptions = {}): Promise<Monitor> {
  const log = childLogger({ component: 'worker' });
  const prefix = config.redis.prefix;
  if (config.redis.prefixAsWritten !== undefined) {
    log.info({ prefix, written: config.redis.prefixAsWritten }, 'Redis Cluster: key prefix wrapped in a hash tag so that every key of a queue lands in one slot');
  }
  const what = redisAddress(config.redis);
  const redis = createRedis(config.redis, log, { name: 'spm-state', autoPipelining: true });
  const health = watchRedisHealth(redis, what, log, { retryEveryMs: REDIS_RETRY_MAX_MS });
  const queueConn = createRedis(config.redis, log, { name: 'spm-queue' });
  const workerConn = createRedis(config.redis, log, { blocking: true, name: 'spm-worker' });
  const conns = [redis, queueConn, workerConn];
  const registry = new Registry();
  registerProcessMetrics(registry);
  const metrics = createClientMetrics(registry, config.accounts.map((a) => a.name));
  const redisMetrics = registerRedisMetrics(registry);
  const shards = new Shards(prefix, config.redis.shards);
  if (shards.count > 1) log.info({ shards: shards.count, prefixes: shards.prefixes }, 'accounts spread over shards (redis.shards)');
  const accounts = new Map(config.accounts.map((a) => [a.name, a]));
  // The plan stretches intervals that do not fit the budget (run refuses before this when told to).
  const plan = planConfig(config);
  for (const warning of planWarnings(plan)) log.warn(warning);
  const intervalFor = effectiveIntervalFor(plan);
  const shardAccounts = shards.split(config.accounts, (a) => a.name);
  const side: RedisSide = {
    registered: [],
    shards: shards.prefixes.map((p, index) => ({
      index, prefix: p,
      config: { ...config, redis: { ...config.redis, prefix: p }, accounts: shardAccounts[index] },
      store: new ReadingStore(redis, p),
      authBackoff: new AuthBackoff(redis, p, config.sendpulse.authBackoff),
      tokens: new TokenStore(redis, p, { lockTtlMs: config.sendpulse.timeout * 2 }),
      schedule: new PollSchedule(redis, p),
      lane: null,
      schedules: null, queue: null, worker: null,
    })),
  };
  const shardOf = (account: string) => side.shards[shards.of(account)];
  const budget = new RequestBudget({ redis, prefix: (a) => shards.prefixOf(a), accounts: config.accounts, pausedKey: (a) => shardOf(a).authBackoff.pauseKey(a) });
  const budgetFamilies = budgetMetrics(budget, plan);
  const plugins = options.plugins ?? defaultPlugins(config);
  const configGuard = new RedisConfigGuard({
    client: redis, what, allowEviction: config.redis.allowEviction, log, checkMs: options.redisConfigCheckMs,
    onState: (ok) => redisMetrics.configOk.set(ok ? 1 : 0),
  });
  // Each account's token lives in its shard.
  const tokens: TokenProvider = {
    get: (account, fetch) => shardOf(account).tokens.get(account, fetch),
    invalidate: (account, token) => shardOf(account).tokens.invalidate(account, token),
  };
  const client = new SendPulseClient({ baseUrl: config.sendpulse.baseUrl, timeoutMs: config.sendpulse.timeout, tokens, gate: budget, metrics });
  const depsOf = (shard: ShardSide): PollDeps => ({
    client,
    store: shard.store,
    authBackoff: shard.authBackoff,
    metrics,
    log,
    onPolled: async (account, endpoint, outcome, state) => {
      for (const p of plugins) {
        // An alert hook that fails must not turn a good poll into a failed job.
        await p.onPolled?.(account, endpoint, outcome, state).catch((err: Error) => log.error({ err: err.message, account: account.name }, 'post-poll hook failed'));
      }
    },
    onSaved: (account, saved) => accountMetrics.observe(account, saved.state, saved.changeId),
    history: (account, endpoint, reading) => {
      for (const p of plugins) {
        const h = p.historyWrites?.(account, endpoint, reading);
        if (h) return h;
      }
      return undefined;
    },
    // The back-off ended with a success on one endpoint: the others would otherwise wait for their next
    // run (an hour for user_info and team), with sendpulse_up at 0 until then.
    onCredentialsRecovered: async (account, endpoint) => {
      await pollNow(shard, account.name, ENDPOINTS.filter((e) => e !== endpoint), `recovered-${Date.now()}`);
    },
  });
  const pollLag = createPollLag(registry);
  // worker.concurrency is the process's, over every shard's lane.
  const runner = new PollRunner({ concurrency: config.worker.concurrency, leaseMs: POLL_LEASE_MS, pollLag, log });
  /** Makes polls due now (once per reason over all replicas), and this process's claim loop of the shard claim them at once. */
  const pollNow = async (shard: ShardSide, account: string, endpoints: readonly Endpoint[], reason: string) => {
    await shard.schedule.pollNow(account, endpoints, reason);
    if (shard.lane !== null) runner.nudge(shard.lane);
  };
  const accountMetrics = new AccountMetrics(side.shards.map((sh) => sh.store), () => config.accounts, { storeOf: (a) => shards.of(a) });
  const pages = new StatusPages(new StatusReader({ redis, config, plan, budget, shards }), {
    version: VERSION,
    refreshSeconds: statusRefreshSeconds(config, intervalFor),
    windowMs: config.alerts.runwayWindow,
    // As for /metrics: with Redis down every read would wait out its retries; say why at once instead.
    unavailable: () => health.reason(),
  });
  const abort = new AbortController();
  let phase = 'waiting for Redis';

  let server: RunningServer;
  try {
    server = await startHttpServer(config.server, {
      registry,
      beforeScrape: async () => {
        // The process's own per-account counters, cached as text (too many series for prom-client).
        const counters = [metrics.requests.family, metrics.pollErrors.family];
        // With Redis down every read would wait out its retries (seconds each) and the scrape would
        // pass Prometheus' timeout: answer at once with the process's own metrics instead.
        if (!health.ready()) return counters;
        try {
          return [...counters, ...await accountMetrics.refresh(), ...await budgetFamilies.families()];
        } catch (err) {
          if (isRedisTrouble(err)) return counters;
          throw err;
        }
      },
      notReadyReason: async () => {
        if (abort.signal.aborted) return 'shutting down';
        const down = health.reason();
        if (down) return down;
        // Until the start-up is done (workers started, old shards retired, changed credentials polled).
        if (phase !== 'running') return phase;
        // A first registration that failed is retried in the background, and one after Redis lost its data.
        if (side.shards.some((sh) => !sh.schedules!.ready())) return 'schedules not registered yet';
        await pingWithin(redis, 2000);
        return null;
      },
      readyWarning: () => configGuard.warning(),
      pages: (path, params) => pages.handle(path, params),
      version: VERSION,
      log,
    });
  } catch (err) {
    // Nothing else runs yet; the connections are all there is to release.
    health.stop();
    for (const c of conns) c.disconnect();
    throw err;
  }
  log.info({ url: server.url, accounts: config.accounts.length }, 'serving metrics');

  const step = <T>(name: string, fn: () => Promise<T>) => retryOnRedisTrouble(name, fn, { health, signal: abort.signal, log });
  const onRedis = async (): Promise<void> => {
    await health.untilReady(abort.signal);
    phase = 'checking the Redis configuration';
    await step('redis config', () => configGuard.checkAtStart());
    configGuard.start();
    phase = 'starting the workers';
    // redis.shards changed since the last start: the accounts that changed shard, and the shards no longer used.
    const reshard = await step('shard layout', () => readShardChange(redis, prefix, shards, config.accounts));
    if (reshard.moved.length > 0) log.info({ from: reshard.previous, to: shards.count, accounts: reshard.moved.length }, 'redis.shards changed: moving accounts to their new shard');
    const movedTo = shards.split(reshard.moved, (m) => m.account);
    const ctx: MonitorContext = {
      config, redis, registry, intervalFor, shardOf: (a) => shards.of(a), retiredPrefixes: reshard.retired,
      shards: side.shards.map((sh) => ({ index: sh.index, prefix: sh.prefix, config: sh.config, store: sh.store, moved: movedTo[sh.index] })),
    };
    // Readings first: the alerts' periodic pass in the new shard must find them (not take the account for stale).
    if (reshard.moved.length > 0) await step('move accounts to their shard', () => moveAccountState(redis, reshard.moved, shards));
    for (const p of plugins) {
      if (abort.signal.aborted) throw new ClosingError();
      side.registered.push(p);
      await p.register?.(ctx);
    }
    for (const shard of side.shards) {
      if (abort.signal.aborted) throw new ClosingError();
      const queue = new Queue(POLL_QUEUE, { connection: queueConn, prefix: shard.prefix });
      shard.queue = queue;
      queue.on('error', logBullError(log, 'poll queue error'));
      shard.schedules = await keepSchedules({
        queue, schedule: shard.schedule, redis, prefix: shard.prefix, accounts: shard.config.accounts, endpoints: ENDPOINTS, intervalFor, log,
        onDataLoss: async (generation) => {
          redisMetrics.dataLoss.inc();
          // The readings went with the data: without this, sendpulse_up would wait an hour for user_info and team.
          for (const a of shard.config.accounts) await pollNow(shard, a.name, ENDPOINTS, `loss-${generation}`);
        },
      });
    }
    if (reshard.previous !== shards.count || reshard.recorded !== (shards.count > 1)) {
      // Only once the new shards' schedulers exist: an account is never left without one. Otherwise the
      // next start does it (the count is not recorded before; moving again finds nothing left to move).
      if (side.shards.every((sh) => sh.schedules!.ready())) await step('retire old shards', () => retireShards(queueConn, reshard, shards, prefix, log));
      else log.warn({ shards: shards.count }, 'redis.shards changed but not every shard\'s schedules are registered yet: the old shards are retired at the next start');
    }
    for (const shard of side.shards) {
      if (abort.signal.aborted) throw new ClosingError();
      const lane = runner.addShard({ schedule: shard.schedule, poll: pollFor(depsOf(shard), accounts, shard.schedule) });
      shard.lane = lane;
      shard.worker = startPollWorker({ connection: workerConn, prefix: shard.prefix, runner, lane, schedule: shard.schedule, log });
    }
    for (const shard of side.shards) {
      const changes = await step('credential fingerprints', () => credentialChanges(redis, shard.prefix, shard.config.accounts));
      await step('poll changed credentials', () => pollChangedCredentials(changes, { authBackoff: shard.authBackoff, tokens: shard.tokens, pollNow: (account, endpoints, reason) => pollNow(shard, account, endpoints, reason), log }));
    }
    phase = 'running';
  };

  const started = onRedis();
  started.catch(() => undefined); // observed by run (Monitor.started); never an unhandled rejection

  let closed: Promise<void> | null = null;
  const close = async (graceMs: number) => {
    abort.abort();
    accountMetrics.close();
    for (const sh of side.shards) sh.schedules?.stop();
    configGuard.stop();
    // A start-up step in flight stops at its next check; give it a moment so nothing is made after this.
    await closeWithin(1000, () => started);
    // Finish the polls in flight; past the grace period leave them to their leases (another replica, or
    // this one after a restart, runs them again when they expire). With Redis gone there is nothing a
    // poll could store: close at once.
    const up = health.ready();
    await Promise.all([
      closeWithin(graceMs, () => runner.close(up ? graceMs : 0)),
      ...side.shards.map(({ worker }) => (worker ? closeWithin(graceMs, () => worker.close(!up)) : undefined)),
      ...side.registered.map((p) => closeWithin(Math.min(graceMs, 4000), async () => p.close?.())),
    ]);
    await Promise.all([
      closeWithin(1000, () => server.close()),
      ...side.shards.map(({ queue }) => (queue ? closeWithin(1000, () => queue.close()) : undefined)),
      closeWithin(1000, () => client.close()),
    ]);
    health.stop();
    for (const c of conns) c.disconnect();
  };
  return {
    url: server.url,
    registry,
    processMetrics: async () => (await registry.metrics()) + metrics.requests.text() + metrics.pollErrors.text(),
    started,
    close: (graceMs = 8000) => (closed ??= close(graceMs)),
  };
}

/** PING with a deadline: a Redis that accepts connections but does not answer is not ready either. */
async function pingWithin(redis: RedisClient, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([redis.ping(), new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer PING within ${ms / 1000} s`)), ms);
    })]);
  } finally {
    clearTimeout(timer);
  }
}
