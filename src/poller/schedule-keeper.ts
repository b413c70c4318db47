import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { AccountConfig, Endpoint } from '../config/types';
import type { RedisClient } from '../state/redis-connection';
import type { PollSchedule } from './poll-schedule';
import { syncSchedules } from './schedule-sync';

/** What keeps the schedules: the queue, where the marker lives, and the intervals to schedule. */
export interface ScheduleKeeperOptions {
  /** The shard's poll queue (its lane scheduler) and schedule. */
  queue: Queue;
  schedule: PollSchedule;
  redis: RedisClient;
  prefix: string;
  accounts: readonly AccountConfig[];
  endpoints: readonly Endpoint[];
  intervalFor: (account: AccountConfig, endpoint: Endpoint) => number;
  /** How often the marker is checked; default 5 s. */
  checkMs?: number;
  log: Logger;
  /**
   * Called (after the schedules are back) when the marker this process wrote is gone: Redis lost the
   * monitor's data while it ran. `generation` is the new marker's value, the same for every caller
   * that sees the same loss. Default: nothing beyond the re-registration.
   */
  onDataLoss?: (generation: string) => Promise<void>;
}

/** Registered schedules, kept registered. */
export interface ScheduleKeeper {
  /** True once the schedules are registered (and not known to be lost since). */
  ready(): boolean;
  stop(): void;
}

/**
 * Registers the poll schedules, then keeps them: if Redis lost its data (a restart without persistence,
 * a failover to an empty replica, FLUSHALL, eviction) the schedulers are gone and nothing would poll
 * again, so a marker key written after each registration is checked every few seconds and its absence
 * triggers a new one. The marker is written once and read only with EXISTS, which does not count as a
 * use for LRU or LFU eviction, so an evicting Redis drops it among the first keys. A failed first
 * registration (Redis went away during the start) is retried at the same pace instead of thrown.
 */
export async function keepSchedules(opts: ScheduleKeeperOptions): Promise<ScheduleKeeper> {
  const markerKey = `${opts.prefix}:schedules:marker`;
  let ready = false;
  let lost = false;
  let stopped = false;
  const sync = async (why: string): Promise<string> => {
    const r = await syncSchedules(opts.queue, opts.schedule, opts.accounts, opts.intervalFor, opts.endpoints);
    const generation = String(Date.now());
    await opts.redis.set(markerKey, generation);
    ready = true;
    opts.log.info({ schedules: r.upserted, removed: r.removed, why }, 'poll schedules registered');
    return generation;
  };
  await sync('start').catch((err: Error) => opts.log.debug({ err: err.message }, 'first schedule registration failed; retrying'));
  let syncing = false;
  const checker = setInterval(() => {
    if (syncing || stopped) return;
    syncing = true;
    const check = async () => {
      if (ready) {
        if ((await opts.redis.exists(markerKey)) !== 0) return;
        ready = false;
        lost = true;
        opts.log.error({ marker: markerKey }, 'Redis lost the monitor\'s data (its marker key is gone: a restart without persistence, a failover to an empty'
          + ' replica, FLUSHALL/FLUSHDB, or eviction); rebuilding what can be: schedules, readings (every account is polled now), alert state from its ledger');
      }
      const generation = await sync(lost ? 'redis lost its data' : 'start');
      if (lost) {
        lost = false;
        await opts.onDataLoss?.(generation);
      }
    };
    check()
      .catch((err: Error) => opts.log.debug({ err: err.message }, 'schedule check failed'))
      .finally(() => { syncing = false; });
  }, opts.checkMs ?? 5000);
  checker.unref();
  return { ready: () => ready, stop: () => { stopped = true; clearInterval(checker); } };
}
