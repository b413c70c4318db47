import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { AccountConfig, Endpoint } from '../config/types';

/** The id of an (account, endpoint) job scheduler: stable, so restarts and replicas upsert the same one. */
export function schedulerId(account: string, endpoint: Endpoint): string {
  return `${account}:${endpoint}`;
}

/** A stable fraction in [0,1) per scheduler id, to spread first runs of many accounts over time. */
function spreadFraction(id: string): number {
  return createHash('sha1').update(id).digest().readUInt32BE(0) / 2 ** 32;
}

/** The job data of a poll. */
export interface PollJobData {
  account: string;
  endpoint: Endpoint;
}

/**
 * Makes the queue's job schedulers match the config: one per (account, endpoint) at its effective
 * interval, and none for accounts or endpoints no longer configured. Idempotent: every replica runs
 * it at start and after Redis lost its data. First runs of a new scheduler are spread over up to
 * 10 ms per account (capped at the interval) so thousands of accounts do not all poll in one burst.
 */
export async function syncSchedules(
  queue: Queue,
  accounts: readonly AccountConfig[],
  intervalFor: (account: AccountConfig, endpoint: Endpoint) => number,
  endpoints: readonly Endpoint[],
): Promise<{ upserted: number; removed: number }> {
  const wanted = new Set<string>();
  const now = Date.now();
  const spreadMs = accounts.length * 10;
  const tasks: (() => Promise<unknown>)[] = [];
  for (const account of accounts) {
    for (const endpoint of endpoints) {
      const id = schedulerId(account.name, endpoint);
      wanted.add(id);
      const every = intervalFor(account, endpoint);
      const startDate = now + Math.floor(spreadFraction(id) * Math.min(every, spreadMs));
      const data: PollJobData = { account: account.name, endpoint };
      tasks.push(() => queue.upsertJobScheduler(id, { every, startDate }, {
        name: endpoint,
        data,
        // A poll that failed is recorded in metrics; its job is not kept or retried (the next run is the retry).
        opts: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
      }));
    }
  }
  await runLimited(tasks, 64);
  let removed = 0;
  const pageSize = 1000;
  const stale: string[] = [];
  for (let start = 0; ; start += pageSize) {
    const page = await queue.getJobSchedulers(start, start + pageSize - 1, true);
    for (const s of page) if (s.key && !wanted.has(s.key)) stale.push(s.key);
    if (page.length < pageSize) break;
  }
  await runLimited(stale.map((id) => async () => { if (await queue.removeJobScheduler(id)) removed++; }), 64);
  return { upserted: wanted.size, removed };
}

async function runLimited(tasks: (() => Promise<unknown>)[], limit: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
}
