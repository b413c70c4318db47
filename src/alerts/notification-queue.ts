import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';

/** The BullMQ queue name of alert notifications (under the monitor's prefix). */
export const NOTIFICATION_QUEUE = 'notifications';

/** The data of a notification job: the record itself stays in the Redis outbox. */
export interface NotificationJobData {
  id: string;
  /** Times the job waited out a 429's retry-after without using an attempt. */
  deferrals?: number;
}

/**
 * The backoff type of notification jobs: exponential from `delay`, but never sooner than a 429's
 * retry-after (the worker's backoffStrategy, jobs/deliver-notification.ts, computes it).
 */
export const NOTIFICATION_BACKOFF = 'retry-after';

/** Options of createNotificationQueue. */
export interface NotificationQueueOptions {
  connection: Redis | ConnectionOptions;
  /** The monitor's key prefix (redis.prefix). */
  prefix: string;
  /** alerts.maxAttempts; default 10. */
  maxAttempts?: number;
  /** First retry delay, doubled at each attempt (unless a 429 asks for longer); default 5 s (10 attempts span about 85 minutes). */
  backoffMs?: number;
}

/** The notification queue, with retries (exponential back-off, or a 429's retry-after) as its default job options. */
export function createNotificationQueue(opts: NotificationQueueOptions): Queue<NotificationJobData> {
  return new Queue<NotificationJobData>(NOTIFICATION_QUEUE, {
    connection: opts.connection,
    prefix: opts.prefix,
    defaultJobOptions: {
      attempts: opts.maxAttempts ?? 10,
      backoff: { type: NOTIFICATION_BACKOFF, delay: opts.backoffMs ?? 5000 },
      // Finished jobs may go: the outbox record is removed first, so a late re-enqueue finds nothing to send.
      removeOnComplete: { age: 86400, count: 10000 },
      removeOnFail: { age: 7 * 86400, count: 10000 },
    },
  });
}

/**
 * Enqueues a notification by its deterministic id: adding an id that is already a job is a no-op in
 * BullMQ, so a retry, a second replica or the sweeper may call this as often as they like.
 */
export async function enqueueNotification(queue: Queue<NotificationJobData>, id: string): Promise<void> {
  await queue.add('notify', { id }, { jobId: id });
}
