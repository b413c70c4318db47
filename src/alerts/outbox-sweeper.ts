import type { Queue } from 'bullmq';
import { childLogger } from '../logger';
import { notificationsTotal } from './alert-metrics';
import type { AlertStore } from './alert-store';
import { channelsFor, type ChannelConfigs } from './channels';
import { enqueueNotification, type NotificationJobData } from './notification-queue';

const log = childLogger({ component: 'alerts' });

/**
 * Gives up on a notification after its last attempt: one log line, `dropped` counted for every
 * channel meant to get it that did not (delivered or refused), and the record leaves the outbox so
 * the sweeper stops retrying it.
 */
export async function dropNotification(store: AlertStore, id: string, channels: Partial<ChannelConfigs>, reason: string): Promise<void> {
  const record = await store.outboxRecord(id);
  if (!record) return;
  const sent = await store.sentChannels(id);
  const missed = channelsFor(channels, record).filter((c) => !sent.has(c));
  for (const c of missed) notificationsTotal.inc({ channel: c, outcome: 'dropped' });
  log.error({ notification: id, channels: missed, reason }, 'alert notification dropped after the last delivery attempt');
  await store.events.dropped(record, missed, reason, Date.now());
  await store.removeFromOutbox(id);
}

/**
 * Re-enqueues outbox records that have no job (their worker died between the transition and the
 * enqueue), or a job no worker will ever run: in no list of the queue, or completed while its record
 * is still waiting (both only after Redis lost keys, e.g. evicted the queue's lists); drops those whose
 * job failed its last attempt without the failure being handled.
 */
export async function sweepOutbox(store: AlertStore, queue: Queue<NotificationJobData>, channels: Partial<ChannelConfigs>): Promise<{ enqueued: number; dropped: number }> {
  let enqueued = 0;
  let dropped = 0;
  for (const id of await store.outboxIds()) {
    const job = await queue.getJob(id);
    if (!job) {
      await enqueueNotification(queue, id);
      enqueued++;
      continue;
    }
    const state = await job.getState();
    if (state === 'failed' && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      await dropNotification(store, id, channels, job.failedReason ?? 'failed');
      dropped++;
    } else if (state === 'unknown' || state === 'completed') {
      // A delivered notification leaves the outbox before its job completes, so this job is a
      // leftover: make room for a new one under the same id (a job id in use makes add() a no-op).
      await job.remove().catch(() => undefined);
      await enqueueNotification(queue, id);
      enqueued++;
    }
  }
  if (enqueued > 0) log.warn({ enqueued }, 'alert notifications re-enqueued from the outbox');
  return { enqueued, dropped };
}
