import { DelayedError, Worker, type Job } from 'bullmq';
import type { Histogram } from 'prom-client';
import type { Logger } from 'pino';
import type { AccountConfig, Endpoint } from '../config/types';
import { BudgetExhaustedError } from '../errors';
import { jobDueMs } from '../metrics/poll-lag';
import { ENDPOINT_DEFS } from '../sendpulse/endpoints';
import type { RedisClient } from '../state/redis-connection';
import { logBullError } from '../state/redis-health';
import { STALLED_CHECK_MS, STALLED_LOCK_MS } from '../stalled-jobs';
import { runPoll, type PollDeps } from './run-poll';
import type { PollJobData } from './schedule-sync';

/** The BullMQ queue the poll jobs run on. */
export const POLL_QUEUE = 'poll';

/** What the poll worker needs. */
export interface PollWorkerOptions {
  /** A BullMQ worker connection (maxRetriesPerRequest: null). */
  connection: RedisClient;
  prefix: string;
  /** Polls at once (worker.concurrency). */
  concurrency: number;
  accounts: ReadonlyMap<string, AccountConfig>;
  deps: PollDeps;
  /** Effective (possibly stretched) interval of an endpoint, ms. */
  intervalFor: (account: AccountConfig, endpoint: Endpoint) => number;
  pollLag: Histogram;
  log: Logger;
}

/**
 * Starts the worker that runs the poll jobs (scheduled and poll-now alike): one runPoll per job; a
 * poll the budget has no room for waits (delayed, no attempt used) or, when the wait would reach the
 * scheduler's next run, is skipped.
 */
export function startPollWorker(o: PollWorkerOptions): Worker<PollJobData> {
  const worker = new Worker<PollJobData>(POLL_QUEUE, async (job: Job<PollJobData>, token?: string) => {
    const account = o.accounts.get(job.data.account);
    if (!account || !Object.prototype.hasOwnProperty.call(ENDPOINT_DEFS, job.data.endpoint)) return 'unknown';
    o.pollLag.observe(Math.max(0, (job.processedOn ?? Date.now()) - jobDueMs(job)) / 1000);
    try {
      return await runPoll(o.deps, account, job.data.endpoint);
    } catch (err) {
      if (err instanceof BudgetExhaustedError && token) {
        // A scheduled poll whose wait reaches its scheduler's next run is skipped: BullMQ made that next
        // job when this one started, so delaying would pile one job per interval onto a long pause
        // (after a 429, or a day budget used up) and send them all when it ends.
        if (job.repeatJobKey && err.delayMs >= o.intervalFor(account, job.data.endpoint)) return 'skipped';
        // Not a failure: wait, without using an attempt, until the budget has room again.
        await job.moveToDelayed(Date.now() + err.delayMs, token);
        throw new DelayedError();
      }
      throw err;
    }
  }, {
    connection: o.connection, prefix: o.prefix, concurrency: o.concurrency, autorun: true,
    lockDuration: STALLED_LOCK_MS, stalledInterval: STALLED_CHECK_MS,
  });
  worker.on('error', logBullError(o.log, 'poll worker error'));
  return worker;
}
