import type { Queue } from 'bullmq';
import type { AccountConfig, Endpoint } from '../config/types';
import type { PollSchedule } from './poll-schedule';
import { LANE_SCHEDULER, LANE_TICK_MS } from './poll-worker';
import { runLimited } from '../run-limited';

/**
 * Makes a shard's polling match the config: its lane job scheduler on the poll queue (one, every
 * LANE_TICK_MS), no other scheduler there (a version before lanes had one per account and endpoint),
 * and its poll schedule with one member per (account, endpoint) at its effective interval
 * (PollSchedule.sync). Idempotent: every replica runs it at start and after Redis lost its data.
 */
export async function syncSchedules(
  queue: Queue,
  schedule: PollSchedule,
  accounts: readonly AccountConfig[],
  intervalFor: (account: AccountConfig, endpoint: Endpoint) => number,
  endpoints: readonly Endpoint[],
): Promise<{ upserted: number; removed: number }> {
  const r = await schedule.sync(accounts, intervalFor, endpoints);
  await queue.upsertJobScheduler(LANE_SCHEDULER, { every: LANE_TICK_MS }, {
    name: LANE_SCHEDULER,
    data: {},
    opts: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
  });
  const removed = await removeJobSchedulers(queue, LANE_SCHEDULER);
  return { upserted: r.members, removed: removed + r.removed };
}

/**
 * Removes every job scheduler of `queue` (each with its next job) but `keep`, if given: the
 * per-account schedulers of versions before lanes, or everything of a retired shard. Returns how many.
 */
export async function removeJobSchedulers(queue: Queue, keep?: string): Promise<number> {
  let removed = 0;
  for (;;) {
    const page = await queue.getJobSchedulers(0, 999, true);
    const stale = page.map((s) => s.key).filter((k) => k && k !== keep);
    if (stale.length === 0) return removed;
    await runLimited(stale.map((id) => async () => { if (await queue.removeJobScheduler(id)) removed++; }), 64);
  }
}
