import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { evaluateAlerts, EVALUATE_ALERTS_JOB } from '../../jobs/evaluate-alerts';
import { startNotificationWorker } from '../../jobs/deliver-notification';
import { closeWithin } from '../close-within';
import { ENDPOINTS, type AccountConfig, type Endpoint, type MonitorConfig } from '../config/types';
import { childLogger } from '../logger';
import type { Reading } from '../sendpulse/readings';
import type { AccountState } from '../state/reading-store';
import { createRedis, type RedisClient } from '../state/redis-connection';
import { logBullError } from '../state/redis-health';
import { STALLED_CHECK_MS, STALLED_LOCK_MS } from '../stalled-jobs';
import type { MonitorContext, MonitorPlugin, ShardContext } from '../monitor-plugin';
import { AlertEngine } from './alert-engine';
import { registerAlertMetrics } from './alert-metrics';
import { AlertmanagerSink } from './alertmanager-sink';
import { configuredChannels } from './channels';
import { moveAlertState } from './move-alert-state';
import { createNotificationQueue } from './notification-queue';

/** The queue of the periodic alert pass (one job scheduler shared by all replicas). */
const EVALUATE_QUEUE = 'alerts';

/** Options; defaults next to each. */
export interface AlertsPluginOptions {
  /** How often the periodic pass runs (stale, reminders, tariff ends nearing, outbox sweep); default 30 s, or the shortest poll interval if shorter. */
  evaluateEveryMs?: number;
}

/**
 * The built-in alerts as a monitor plugin: evaluates rules after every poll and on a shared
 * schedule, delivers notifications through their own BullMQ queue with retries, and exports the
 * alert metrics. Does nothing but the metrics when no channel is configured... except keep state,
 * so `sendpulse_alert_firing` still shows what would fire.
 */
export function alertsPlugin(config: MonitorConfig, opts: AlertsPluginOptions = {}): MonitorPlugin {
  const log = childLogger({ component: 'alerts' });
  // One engine per shard (src/state/shards.ts), each with its own queues and keys; by shard index.
  let engines: AlertEngine[] = [];
  let shardOf: (account: string) => number = () => 0;
  const conns: RedisClient[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  const workers: Worker[] = [];
  let closed = false;

  return {
    async register(ctx: MonitorContext) {
      const shortest = Math.min(...config.accounts.flatMap((a) => ENDPOINTS.map((e) => ctx.intervalFor(a, e))));
      const every = opts.evaluateEveryMs ?? Math.max(1000, Math.min(30_000, shortest));
      const conn = (blocking: boolean, name: string) => {
        const c = createRedis(config.redis, log, { blocking, name });
        conns.push(c);
        return c as Redis;
      };
      // Without 'error' listeners BullMQ prints errors with console.error, outside the logger's
      // redaction: each queue and worker gets one as it is made.
      const onError = logBullError(log, 'alerts queue or worker error');
      // The shards' queues and workers share these connections (BullMQ workers open their own blocking one each).
      const queueConn = conn(false, 'spm-alerts-queue');
      const deliveryConn = conn(true, 'spm-alerts-delivery');
      // A connection that waits for Redis (no per-command retry limit): a Redis that goes away during
      // the start delays this registration instead of failing the start; close() disconnects it.
      const evalQueueConn = conn(true, 'spm-alerts-eval-queue');
      const evalConn = conn(true, 'spm-alerts-eval');
      for (const retired of ctx.retiredPrefixes) {
        // redis.shards changed: the periodic pass of a shard no longer used must not run on its old state.
        const q = new Queue(EVALUATE_QUEUE, { connection: evalQueueConn, prefix: retired });
        q.on('error', onError);
        await q.removeJobScheduler(EVALUATE_ALERTS_JOB);
        await q.close();
      }
      shardOf = (a) => ctx.shardOf(a);
      engines = ctx.shards.map((shard) => {
        const notifications = createNotificationQueue({ connection: queueConn, prefix: shard.prefix, maxAttempts: config.alerts.maxAttempts });
        notifications.on('error', onError);
        closers.push(() => notifications.close());
        return new AlertEngine({ redis: ctx.redis, prefix: shard.prefix, config: shard.config, queue: notifications, intervalFor: ctx.intervalFor });
      });
      for (const shard of ctx.shards) {
        const engine = engines[shard.index];
        const moved = await engine.store.migrateOldStates();
        if (moved > 0) log.info({ moved }, 'alert states of version 0.1 moved to one hash per account');
        await moveShardState(ctx, shard, engine);
      }
      registerAlertMetrics(ctx.registry, { stores: engines.map((e) => e.store), accounts: () => config.accounts.map((a) => a.name), available: () => ctx.redis.status === 'ready',
        channels: configuredChannels(config.alerts), alertmanager: config.alerts.alertmanager !== undefined });
      for (const shard of ctx.shards) {
        const engine = engines[shard.index];
        const delivery = startNotificationWorker({ connection: deliveryConn, redis: ctx.redis, prefix: shard.prefix, config: shard.config, lockDuration: STALLED_LOCK_MS, stalledInterval: STALLED_CHECK_MS });
        workers.push(delivery);
        const evalQueue = new Queue(EVALUATE_QUEUE, { connection: evalQueueConn, prefix: shard.prefix });
        evalQueue.on('error', onError);
        closers.push(() => evalQueue.close());
        await evalQueue.upsertJobScheduler(EVALUATE_ALERTS_JOB, { every }, { name: EVALUATE_ALERTS_JOB, opts: { removeOnComplete: true, removeOnFail: true } });
        if (closed) return;
        const evalWorker = new Worker(EVALUATE_QUEUE, () => evaluateAlerts(engine), { connection: evalConn, prefix: shard.prefix, concurrency: 1 });
        evalWorker.on('error', onError);
        workers.push(evalWorker);
        if (config.alerts.alertmanager) {
          // Alertmanager forgets alerts that are not re-sent: one replica (a Redis lease per shard) re-posts the firing ones.
          const sink = new AlertmanagerSink({ redis: ctx.redis, prefix: shard.prefix, config: config.alerts.alertmanager, alerts: engine.store,
            accounts: () => shard.config.accounts.map((a) => a.name), dashboardUrl: config.alerts.dashboardUrl });
          sink.start();
          closers.unshift(() => sink.stop());
        }
      }
    },
    historyWrites(account: AccountConfig, _endpoint: Endpoint, reading: Reading) {
      return engines[shardOf(account.name)]?.historyWrites(account, reading);
    },
    async onPolled(account: AccountConfig, endpoint: Endpoint, outcome: 'ok' | 'failed', state?: AccountState) {
      await engines[shardOf(account.name)]?.onPoll(account, endpoint, outcome, state);
    },
    async close() {
      closed = true;
      // With Redis gone a graceful close would wait for it (BullMQ finishes jobs and releases locks
      // first): close the workers at once then, and give each queue or sink a second at most.
      const force = conns[0]?.status !== 'ready';
      await Promise.all(workers.map((w) => closeWithin(3000, () => w.close(force))));
      for (const c of closers) await closeWithin(1000, c);
      for (const c of conns) c.disconnect();
    },
  };
}

/** Moves the alert state of the shard's accounts that were in another shard before `redis.shards` changed (moveAlertState). */
async function moveShardState(ctx: MonitorContext, shard: ShardContext, engine: AlertEngine): Promise<void> {
  const log = childLogger({ component: 'alerts' });
  const byPrefix = new Map<string, AccountConfig[]>();
  const accounts = new Map(shard.config.accounts.map((a) => [a.name, a]));
  for (const m of shard.moved) {
    const a = accounts.get(m.account);
    if (a) byPrefix.set(m.from, [...(byPrefix.get(m.from) ?? []), a]);
  }
  for (const [from, moved] of byPrefix) {
    const r = await moveAlertState(ctx.redis, engine.store, engine.history, from, moved, ctx.config.alerts.runwayWindow);
    log.info({ shard: shard.index, from, to: shard.prefix, accounts: moved.length, keys: r.keys, fields: r.fields }, 'redis.shards changed: alert state moved to the accounts\' new shard');
  }
}
