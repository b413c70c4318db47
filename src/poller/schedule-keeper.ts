import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { AccountConfig, Endpoint } from '../config/types';
import type { RedisClient } from '../state/redis-connection';
import { syncSchedules, type PollJobData } from './schedule-sync';

/** What keeps the schedules: the queue, where the marker lives, and the intervals to schedule. */
export interface ScheduleKeeperOptions {
  queue: Queue<PollJobData>;
  redis: RedisClient;
  prefix: string;
  accounts: readonly AccountConfig[];
  endpoints: readonly Endpoint[];
  intervalFor: (account: AccountConfig, endpoint: Endpoint) => number;
  /** How often the marker is checked; default 5 s. */
  checkMs?: number;
  log: Logger;
}

/** Registered schedules, kept registered. */
export interface ScheduleKeeper {
  /** True once the schedules are registered (and not known to be lost since). */
  ready(): boolean;
  stop(): void;
}

/**
 * Registers the poll schedules, then keeps them: if Redis lost its data (a restart without persistence,
 * a failover to an empty replica) the schedulers are gone and nothing would poll again, so a marker key
 * written after each registration is checked every few seconds and its absence triggers a new one.
 */
export async function keepSchedules(opts: ScheduleKeeperOptions): Promise<ScheduleKeeper> {
  const markerKey = `${opts.prefix}:schedules:marker`;
  let ready = false;
  const sync = async (why: string) => {
    const r = await syncSchedules(opts.queue, opts.accounts, opts.intervalFor, opts.endpoints);
    await opts.redis.set(markerKey, String(Date.now()));
    ready = true;
    opts.log.info({ schedulers: r.upserted, removed: r.removed, why }, 'poll schedules registered');
  };
  await sync('start');
  let syncing = false;
  const checker = setInterval(() => {
    if (syncing) return;
    syncing = true;
    opts.redis.exists(markerKey)
      .then(async (n) => {
        if (n === 0) {
          ready = false;
          await sync('redis lost its data');
        }
      })
      .catch((err: Error) => opts.log.debug({ err: err.message }, 'schedule check failed'))
      .finally(() => { syncing = false; });
  }, opts.checkMs ?? 5000);
  checker.unref();
  return { ready: () => ready, stop: () => clearInterval(checker) };
}
