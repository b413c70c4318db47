import { Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { AccountConfig, Endpoint } from '../config/types';
import { BudgetExhaustedError } from '../errors';
import { ENDPOINT_DEFS } from '../sendpulse/endpoints';
import type { RedisClient } from '../state/redis-connection';
import { logBullError } from '../state/redis-health';
import { STALLED_CHECK_MS, STALLED_LOCK_MS } from '../stalled-jobs';
import type { PollRunner } from './poll-runner';
import type { PollSchedule } from './poll-schedule';
import { runPoll, type PollDeps } from './run-poll';

/** The BullMQ queue of the poll lanes (one per shard). */
export const POLL_QUEUE = 'poll';
/** The job scheduler of a shard's lane: its jobs are the windows in which replicas claim due polls. */
export const LANE_SCHEDULER = 'lanes';
/**
 * A lane job every this, ms; each claims polls for LANE_WINDOW_MS, so two windows overlap. A process
 * works one lane job of a shard at a time, so the overlapping window goes to another replica when
 * there is one (replicas share the polling), and to the same process right after when it is alone.
 */
export const LANE_TICK_MS = 500;
/** How long one lane job claims polls, ms (polls it started may run on after it). */
export const LANE_WINDOW_MS = 1000;
/** A claimed poll's lease: a replica killed mid-poll has its poll taken over within this (as BullMQ's lock + stalled check did). */
export const POLL_LEASE_MS = STALLED_LOCK_MS + STALLED_CHECK_MS;

/** What the lane worker of one shard needs. */
export interface PollWorkerOptions {
  /** A BullMQ worker connection (maxRetriesPerRequest: null). */
  connection: RedisClient;
  prefix: string;
  runner: PollRunner;
  /** The shard's index in the runner (PollRunner.addShard). */
  lane: number;
  schedule: PollSchedule;
  log: Logger;
}

/**
 * Runs one poll for the runner: runPoll, and when the budget has no room, moves the poll to when it has
 * (or leaves it to its next run, whichever comes first: PollSchedule.postpone). Accounts or endpoints
 * no longer configured are ignored (the next schedule sync removes them).
 */
export function pollFor(deps: PollDeps, accounts: ReadonlyMap<string, AccountConfig>, schedule: PollSchedule) {
  return async (name: string, endpoint: string, member: string): Promise<void> => {
    const account = accounts.get(name);
    if (!account || !Object.prototype.hasOwnProperty.call(ENDPOINT_DEFS, endpoint)) return;
    try {
      await runPoll(deps, account, endpoint as Endpoint);
    } catch (err) {
      // Not a failure: wait, without counting an error, until the budget has room again.
      if (err instanceof BudgetExhaustedError) await schedule.postpone(member, Date.now() + err.delayMs);
      else throw err;
    }
  };
}

/**
 * Starts the worker of a shard's lane jobs: each job is a window of LANE_WINDOW_MS in which this
 * process claims due polls (PollRunner.window). A job of another name (a per-poll job left by a
 * version before lanes) makes its poll due now instead.
 */
export function startPollWorker(o: PollWorkerOptions): Worker {
  const worker = new Worker(POLL_QUEUE, async (job: Job) => {
    if (job.name !== LANE_SCHEDULER) {
      const { account, endpoint } = (job.data ?? {}) as { account?: string; endpoint?: Endpoint };
      if (account && endpoint) await o.schedule.pollNow(account, [endpoint], `job-${job.id}`);
      return 'moved';
    }
    return o.runner.window(o.lane, Date.now() + LANE_WINDOW_MS);
  }, {
    connection: o.connection, prefix: o.prefix, concurrency: 1, autorun: true,
    lockDuration: STALLED_LOCK_MS, stalledInterval: STALLED_CHECK_MS,
  });
  worker.on('error', logBullError(o.log, 'poll worker error'));
  return worker;
}
