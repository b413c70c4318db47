import type { Queue } from 'bullmq';
import type { Endpoint } from '../config/types';
import type { PollJobData } from './schedule-sync';

/** How long a finished poll-now job keeps its id, so that replicas asking for the same reason add it once: 1 h. */
const KEEP_ID_S = 3600;

/**
 * Polls `endpoints` of `account` now, as one-off jobs on the poll queue (next to the scheduled ones,
 * which keep their times). `reason` goes into the job ids (`now.main.balance.credentials-1a2b`): two
 * replicas that saw the same event add each job once. Budget and credential back-off apply as to any poll.
 */
export async function pollNow(queue: Queue<PollJobData>, account: string, endpoints: readonly Endpoint[], reason: string): Promise<void> {
  if (endpoints.length === 0) return;
  await queue.addBulk(endpoints.map((endpoint) => ({
    name: endpoint,
    data: { account, endpoint },
    // BullMQ job ids may not contain ':'; account names, endpoints and reasons never hold a '.'.
    opts: { jobId: `now.${account}.${endpoint}.${reason}`, attempts: 1, removeOnComplete: { age: KEEP_ID_S }, removeOnFail: { age: KEEP_ID_S } },
  })));
}
