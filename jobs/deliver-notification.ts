import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisClient } from '../src/state/redis-connection';
import { notificationsTotal } from '../src/alerts/alert-metrics';
import { AlertStore } from '../src/alerts/alert-store';
import { NOTIFICATION_QUEUE, type NotificationJobData } from '../src/alerts/notification-queue';
import { dropNotification } from '../src/alerts/outbox-sweeper';
import { configuredChannels, sendToChannel } from '../src/alerts/send-to-channel';
import type { MonitorConfig } from '../src/config/types';
import { childLogger } from '../src/logger';

const log = childLogger({ component: 'notifications' });

/** What delivering a notification needs. */
export interface DeliveryDeps {
  store: AlertStore;
  config: MonitorConfig;
  now?: () => number;
}

/**
 * Delivers one notification from the outbox to every configured channel it has not reached yet
 * (the per-channel "sent" keys make a retried or duplicated job skip channels that succeeded), then
 * removes it from the outbox. Throws when a channel failed, so BullMQ retries it with back-off.
 */
export async function deliverNotification(deps: DeliveryDeps, id: string): Promise<void> {
  const record = await deps.store.outboxRecord(id);
  if (!record) return; // delivered or dropped already: a late duplicate job
  const sent = await deps.store.sentChannels(id);
  const errors: string[] = [];
  for (const channel of configuredChannels(deps.config)) {
    if (sent.has(channel)) continue;
    try {
      await sendToChannel(channel, deps.config, record);
      await deps.store.markSent(id, channel, (deps.now ?? Date.now)());
      notificationsTotal.inc({ channel, outcome: 'sent' });
    } catch (err) {
      notificationsTotal.inc({ channel, outcome: 'failed' });
      errors.push(err instanceof Error ? err.message : String(err));
    }
  }
  if (errors.length > 0) throw new Error(errors.join('; '));
  await deps.store.removeFromOutbox(id);
}

/** Options of startNotificationWorker. */
export interface NotificationWorkerOptions {
  /** A BullMQ worker connection (ioredis with maxRetriesPerRequest: null, or its options). */
  connection: Redis | ConnectionOptions;
  /** A plain client for the outbox and sent keys. */
  redis: RedisClient;
  prefix: string;
  config: MonitorConfig;
  /** Jobs in parallel; default 4. */
  concurrency?: number;
  /** BullMQ lock duration, ms; default 30 s (a worker killed mid-send has its job taken over after it). */
  lockDuration?: number;
  /** BullMQ stalled-job check period, ms; default 30 s. */
  stalledInterval?: number;
}

/** Starts the worker that delivers notifications; after the last attempt a notification is dropped with a log line and a metric. */
export function startNotificationWorker(opts: NotificationWorkerOptions): Worker<NotificationJobData> {
  const store = new AlertStore(opts.redis, opts.prefix);
  const worker = new Worker<NotificationJobData>(
    NOTIFICATION_QUEUE,
    (job: Job<NotificationJobData>) => deliverNotification({ store, config: opts.config }, job.data.id),
    { connection: opts.connection, prefix: opts.prefix, concurrency: opts.concurrency ?? 4,
      lockDuration: opts.lockDuration ?? 30000, stalledInterval: opts.stalledInterval ?? 30000 },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    if (job.attemptsMade >= (job.opts.attempts ?? 1)) {
      dropNotification(store, job.data.id, configuredChannels(opts.config), err.message)
        .catch((e: unknown) => log.error({ err: e, notification: job.data.id }, 'could not drop notification'));
    } else {
      log.warn({ notification: job.data.id, attempt: job.attemptsMade, error: err.message }, 'alert notification delivery failed; will retry');
    }
  });
  worker.on('error', (err) => log.error({ err }, 'notification worker error'));
  return worker;
}
