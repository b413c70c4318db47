import { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { AccountConfig } from '../config/types';
import { RequestBudget } from '../budget/request-budget';
import { TokenStore } from '../sendpulse/token-store';
import { moveHashFields, moveKeys } from '../state/move-keys';
import { ReadingStore } from '../state/reading-store';
import type { RedisClient } from '../state/redis-connection';
import { Shards } from '../state/shards';
import { AuthBackoff } from './auth-backoff';
import { PollSchedule } from './poll-schedule';
import { POLL_QUEUE } from './poll-worker';
import { removeJobSchedulers } from './schedule-sync';

/** What changed since the last start in how accounts are spread over shards (`redis.shards`). */
export interface ShardChange {
  /** The shard count of the last start (1 when none was recorded: the layout before shards existed). */
  previous: number;
  /** Whether a count is recorded under the configured prefix (`<prefix>:shards`). */
  recorded: boolean;
  /** Accounts whose shard changed, with the prefix their keys were under. */
  moved: { account: string; from: string }[];
  /** Prefixes of the previous shards that the new count does not use. */
  retired: string[];
}

/** The key holding the shard count last used, under the configured prefix; absent means 1. */
export function shardCountKey(prefix: string): string {
  return `${prefix}:shards`;
}

/**
 * Compares `redis.shards` with the count the last start recorded. A first start with several shards on
 * a Redis where the monitor never ran (no schedule marker under the configured prefix) moves nothing.
 */
export async function readShardChange(redis: RedisClient, prefix: string, shards: Shards, accounts: readonly AccountConfig[]): Promise<ShardChange> {
  const raw = await redis.get(shardCountKey(prefix));
  const n = Number(raw);
  let previous = raw !== null && Number.isInteger(n) && n >= 1 ? n : 1;
  if (raw === null && shards.count > 1 && (await redis.exists(`${prefix}:schedules:marker`)) === 0) previous = shards.count;
  const recorded = raw !== null;
  if (previous === shards.count) return { previous, recorded, moved: [], retired: [] };
  const old = new Shards(prefix, previous);
  return {
    previous,
    recorded,
    moved: accounts.filter((a) => old.prefixOf(a.name) !== shards.prefixOf(a.name)).map((a) => ({ account: a.name, from: old.prefixOf(a.name) })),
    retired: old.prefixes.filter((p) => !shards.prefixes.includes(p)),
  };
}

/**
 * Moves the monitor's own per-account keys (reading, token, budget windows, pause and usage snapshot,
 * credential back-off, credential fingerprint) of accounts that changed shard into their new shard's prefix
 * (moveKeys: a key written there since is kept). Plugins move theirs (src/monitor-plugin.ts, `moved`).
 */
export async function moveAccountState(redis: RedisClient, moved: readonly { account: string; from: string }[], shards: Shards): Promise<number> {
  const pairs: [string, string][] = [];
  const fingerprints = new Map<string, Set<string>>();
  for (const { account, from } of moved) {
    const to = shards.prefixOf(account);
    const [oldBudget, newBudget] = [from, to].map((prefix) => new RequestBudget({ redis, prefix, accounts: [] }));
    const [oldAuth, newAuth] = [from, to].map((prefix) => new AuthBackoff(redis, prefix));
    pairs.push([new ReadingStore(redis, from).key(account), new ReadingStore(redis, to).key(account)]);
    pairs.push([new TokenStore(redis, from, { lockTtlMs: 1 }).key(account), new TokenStore(redis, to, { lockTtlMs: 1 }).key(account)]);
    for (const part of ['pause', 'streak', 'minute', 'day', 'daybuckets'] as const) pairs.push([oldBudget.key(account, part), newBudget.key(account, part)]);
    oldAuth.keys(account).forEach((k, i) => pairs.push([k, newAuth.keys(account)[i]]));
    const key = `${from}\n${to}`;
    fingerprints.set(key, (fingerprints.get(key) ?? new Set()).add(account));
  }
  let n = await moveKeys(redis, pairs);
  for (const [key, names] of fingerprints) {
    const [from, to] = key.split('\n');
    n += (await moveHashFields(redis, `${from}:credentials`, `${to}:credentials`, (f) => names.has(f))).size;
    // The budget usage snapshots (RequestBudget.snapshotKey), one field per account.
    n += (await moveHashFields(redis, `${from}:budget:used`, `${to}:budget:used`, (f) => names.has(f))).size;
  }
  return n;
}

/**
 * Ends the previous layout once the new shards' schedules exist: removes every job scheduler (and its
 * next job) from the poll queues of the retired shards and their poll schedules, so that no account is
 * polled twice, then records the new count (absent for one shard, so that a single-Redis setup has no extra key).
 */
export async function retireShards(connection: RedisClient, change: ShardChange, shards: Shards, prefix: string, log: Logger): Promise<void> {
  for (const retired of change.retired) {
    const queue = new Queue(POLL_QUEUE, { connection, prefix: retired });
    queue.on('error', (err) => log.warn({ err: err.message }, 'retired poll queue error'));
    try {
      const removed = await removeJobSchedulers(queue);
      await connection.del(...new PollSchedule(connection, retired).keys());
      log.info({ prefix: retired, removed }, 'redis.shards changed: schedules of a shard no longer used removed');
    } finally {
      await queue.close();
    }
  }
  if (shards.count === 1) {
    if (change.recorded) await connection.del(shardCountKey(prefix));
  } else {
    await connection.set(shardCountKey(prefix), String(shards.count));
  }
}
