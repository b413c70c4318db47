import { DelayedError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RedisClient } from '../src/state/redis-connection';
import { notificationsTotal } from '../src/alerts/alert-metrics';
import { AlertStore } from '../src/alerts/alert-store';
import { alertOf, type NotificationRecord } from '../src/alerts/alert-types';
import { channelsFor, sendThrough } from '../src/alerts/channels';
import { NOTIFICATION_QUEUE, type NotificationJobData } from '../src/alerts/notification-queue';
import { dropNotification } from '../src/alerts/outbox-sweeper';
import { sendContextFor } from '../src/alerts/send-context';
import type { MonitorConfig } from '../src/config/types';
import { DeliveryBusyError, DeliveryFailedError, DeliveryRejectedError, NotificationRetryError } from '../src/errors';
import { childLogger } from '../src/logger';
import { logBullError } from '../src/state/redis-health';

const log = childLogger({ component: 'notifications' });

/** Waits a job may spend on 429s' retry-after without using an attempt, before they count as failures. */
export const MAX_DEFERRALS = 20;

/** What delivering a notification needs. */
export interface DeliveryDeps {
  store: AlertStore;
  config: MonitorConfig;
  /** State for channels that keep some (Alertmanager's kept alerts), under `prefix`. */
  redis?: RedisClient;
  prefix?: string;
  now?: () => number;
}

/**
 * Lease of an alert's delivery lock, ms, renewed every third of it while the worker delivers: a killed
 * worker's lock frees itself this soon, before BullMQ hands its job to another worker (15 s lock).
 */
export const ALERT_DELIVERY_LEASE_MS = 10_000;
/** A job whose alert another worker is delivering tries again after this, ms (not counted as an attempt). */
export const ALERT_BUSY_RETRY_MS = 1000;

/**
 * Delivers one notification from the outbox to every configured channel whose filters take it and
 * that has not had it yet (the per-channel "sent" marks make a retried or duplicated job skip
 * channels that are done), then removes it from the outbox. A channel that refuses it for good
 * (DeliveryRejectedError) is done too: counted `rejected`, logged once, never retried. Throws a
 * NotificationRetryError when a channel failed in a way worth retrying, so BullMQ retries the job.
 *
 * One alert's notifications reach each channel in the order they were made: under the alert's
 * delivery lock, earlier notifications of the same alert still in the outbox (waiting for a retry
 * after an outage) are sent first, and a channel that fails one of them gets none of the later ones
 * in this round. Throws DeliveryBusyError when another worker holds the lock.
 */
export async function deliverNotification(deps: DeliveryDeps, id: string): Promise<void> {
  const record = await deps.store.outboxRecord(id);
  if (!record) return; // delivered or dropped already: a late duplicate job
  const alert = alertOf(record);
  const lease = deps.store.deliveryLease(alert, ALERT_DELIVERY_LEASE_MS);
  if (!(await lease.hold())) throw new DeliveryBusyError(alert);
  const renew = setInterval(() => {
    lease.hold().catch(() => undefined); // Redis trouble: the lease runs out, as for a killed worker
  }, ALERT_DELIVERY_LEASE_MS / 3);
  renew.unref();
  try {
    // Without this, a RESOLVED made while its FIRING waited for a retry went out first (found by the soak).
    const blocked = new Map<string, DeliveryFailedError>();
    for (const earlier of await earlierInOutbox(deps.store, alert, seqOf(alert, id))) {
      const r = await deps.store.outboxRecord(earlier);
      if (r) await deliverRecord(deps, r, blocked);
    }
    const failures = await deliverRecord(deps, record, blocked);
    if (failures.length > 0) throw new NotificationRetryError(failures);
  } finally {
    clearInterval(renew);
    // Redis trouble: the lease runs out by itself; the error that matters is the delivery's.
    await lease.release().catch(() => undefined);
  }
}

function seqOf(alert: string, id: string): number {
  const rest = id.slice(alert.length + 1);
  return id.startsWith(`${alert}.`) && /^\d+$/.test(rest) ? Number(rest) : NaN;
}

/** Ids of the alert's notifications in the outbox made before `seq`, oldest first. */
async function earlierInOutbox(store: AlertStore, alert: string, seq: number): Promise<string[]> {
  if (!Number.isFinite(seq)) return [];
  return (await store.outboxIdsOf(alert))
    .map((id) => [id, seqOf(alert, id)] as const)
    .filter(([, s]) => Number.isFinite(s) && s < seq)
    .sort((a, b) => a[1] - b[1])
    .map(([id]) => id);
}

/**
 * Sends one record to its channels that lack it, except those in `blocked` (an earlier notification
 * of the alert failed there: this one fails there too, with that failure, and waits for the retry).
 * Adds the channels that fail to `blocked`; removes the record from the outbox once no channel failed.
 */
async function deliverRecord(deps: DeliveryDeps, record: NotificationRecord, blocked: Map<string, DeliveryFailedError>): Promise<DeliveryFailedError[]> {
  const id = record.id;
  const now = deps.now ?? Date.now;
  const sent = await deps.store.sentChannels(id);
  const ctx = sendContextFor(deps.config, { now, redis: deps.redis && deps.prefix !== undefined ? { client: deps.redis, prefix: deps.prefix } : undefined });
  const failures: DeliveryFailedError[] = [];
  await Promise.all(channelsFor(deps.config.alerts, record).filter((c) => !sent.has(c)).map(async (channel) => {
    const before = blocked.get(channel);
    if (before) {
      failures.push(new DeliveryFailedError(channel, `waits for an earlier notification of the same alert (${before.reason})`,
        { status: before.status, retryAfterMs: before.retryAfterMs }));
      return;
    }
    try {
      await sendThrough(channel, deps.config.alerts, record, ctx);
      await deps.store.markSent(id, channel, now());
      notificationsTotal.inc({ channel, outcome: 'sent' });
      await deps.store.events.sent(record, channel, now());
    } catch (err) {
      if (err instanceof DeliveryRejectedError) {
        // Retrying cannot change the service's mind: the channel is done with this notification.
        await deps.store.markSent(id, channel, now());
        notificationsTotal.inc({ channel, outcome: 'rejected' });
        log.error({ notification: id, channel, reason: err.reason }, 'alert notification rejected by the channel; not retried');
        await deps.store.events.rejected(record, channel, err.reason, now());
        return;
      }
      notificationsTotal.inc({ channel, outcome: 'failed' });
      const failure = err instanceof DeliveryFailedError ? err : new DeliveryFailedError(channel, err instanceof Error ? err.message : String(err));
      failures.push(failure);
      blocked.set(channel, failure);
      await deps.store.events.failed(record, channel, failure.message, now());
    }
  }));
  if (failures.length === 0) await deps.store.removeFromOutbox(id);
  return failures;
}

/**
 * BullMQ's backoffStrategy for NOTIFICATION_BACKOFF jobs: `delay` doubled at each attempt, but not
 * sooner than the longest retry-after a 429 asked for; only that wait when every failure was a 429.
 */
export function notificationBackoff(attemptsMade: number, _type: string | undefined, err: Error | undefined, job?: { opts: { backoff?: unknown } }): number {
  const b = job?.opts.backoff as { delay?: number } | number | undefined;
  const base = typeof b === 'number' ? b : b?.delay ?? 5000;
  const exponential = Math.round(2 ** Math.max(0, attemptsMade - 1) * base);
  if (!(err instanceof NotificationRetryError) || err.retryAfterMs === undefined) return exponential;
  return err.rateLimitedOnly ? err.retryAfterMs : Math.max(exponential, err.retryAfterMs);
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

/**
 * Starts the worker that delivers notifications. A round where every failure was a 429 waits out
 * the longest retry-after without using an attempt (up to MAX_DEFERRALS times); other failures are
 * retried with back-off, and after the last attempt the notification is dropped with a log line and
 * a metric.
 */
export function startNotificationWorker(opts: NotificationWorkerOptions): Worker<NotificationJobData> {
  const store = new AlertStore(opts.redis, opts.prefix);
  const deps: DeliveryDeps = { store, config: opts.config, redis: opts.redis, prefix: opts.prefix };
  const worker = new Worker<NotificationJobData>(
    NOTIFICATION_QUEUE,
    async (job: Job<NotificationJobData>, token?: string) => {
      try {
        await deliverNotification(deps, job.data.id);
      } catch (err) {
        if (err instanceof DeliveryBusyError && token) {
          // Another worker is sending this alert's notifications in order; ours is among them or next.
          await job.moveToDelayed(Date.now() + ALERT_BUSY_RETRY_MS, token);
          throw new DelayedError();
        }
        const deferrals = job.data.deferrals ?? 0;
        if (err instanceof NotificationRetryError && err.rateLimitedOnly && err.retryAfterMs !== undefined && token && deferrals < MAX_DEFERRALS) {
          // Not an outage: the service asked us to wait. BullMQ does not count a DelayedError as an attempt.
          await job.updateData({ ...job.data, deferrals: deferrals + 1 });
          await job.moveToDelayed(Date.now() + err.retryAfterMs, token);
          log.info({ notification: job.data.id, retryAfterMs: err.retryAfterMs, error: err.message }, 'alert notification rate limited; waiting as the service asked');
          throw new DelayedError();
        }
        throw err;
      }
    },
    { connection: opts.connection, prefix: opts.prefix, concurrency: opts.concurrency ?? 4,
      lockDuration: opts.lockDuration ?? 30000, stalledInterval: opts.stalledInterval ?? 30000,
      settings: { backoffStrategy: notificationBackoff } },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    if (job.attemptsMade >= (job.opts.attempts ?? 1)) {
      dropNotification(store, job.data.id, opts.config.alerts, err.message)
        .catch((e: unknown) => log.error({ err: e, notification: job.data.id }, 'could not drop notification'));
    } else {
      log.warn({ notification: job.data.id, attempt: job.attemptsMade, error: err.message }, 'alert notification delivery failed; will retry');
    }
  });
  worker.on('error', logBullError(log, 'notification worker error'));
  return worker;
}
