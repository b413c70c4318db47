import type { RedisClient } from './redis-connection';
import { runLimited } from '../run-limited';

/** Keys or hash fields moved at once. */
const LANES = 32;

/**
 * Moves whole keys from an old name to a new one (another shard's prefix, src/state/shards.ts), each
 * with DUMP, RESTORE (with its time to live) and DEL, one key at a time: the two names may be in
 * different slots of a Redis Cluster, so no script or transaction can hold both. A key that already
 * exists under the new name is kept (it was written since, by a poll of the new layout) and the old
 * one dropped; a key missing under the old name is skipped. Safe to run on several replicas at once.
 * Returns how many keys were moved.
 */
export async function moveKeys(redis: RedisClient, pairs: readonly (readonly [from: string, to: string])[]): Promise<number> {
  let moved = 0;
  await runLimited(pairs.map(([from, to]) => async () => {
    const [dump, ttl] = await Promise.all([redis.dumpBuffer(from), redis.pttl(from)]);
    if (dump === null) return;
    try {
      await redis.restore(to, ttl > 0 ? ttl : 0, dump);
      moved++;
    } catch (err) {
      if (!/BUSYKEY/.test((err as Error).message)) throw err;
    }
    await redis.del(from);
  }), LANES);
  return moved;
}

/**
 * Moves the fields of a hash that `pick` takes (e.g. an account's lines in an index) to another hash,
 * with HSETNX (a field the new hash has is kept) then HDEL. Returns the fields moved, with their values.
 */
export async function moveHashFields(redis: RedisClient, from: string, to: string, pick: (field: string) => boolean): Promise<Map<string, string>> {
  const all = await redis.hgetall(from);
  const taken = new Map(Object.entries(all).filter(([f]) => pick(f)));
  if (taken.size === 0) return taken;
  const fields = [...taken];
  await runLimited(fields.map(([f, v]) => () => redis.hsetnx(to, f, v)), LANES);
  await redis.hdel(from, ...taken.keys());
  return taken;
}
