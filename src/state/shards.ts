/**
 * Sharding for Redis Cluster (`redis.shards`): accounts are spread over N shards, each with its own key
 * prefix under its own hash tag, so that a cluster places the shards' keys (and BullMQ queues) in
 * different slots, on different masters. With one shard (the default) the prefix is `redis.prefix`
 * unchanged, so single-Redis users and existing data see no change.
 */

/** The number of hash slots of a Redis Cluster. */
export const CLUSTER_SLOTS = 16384;

/** Tries of the `-<k>` suffix before a shard's tag settles for any slot (never reached in practice: ~N tries on average). */
const MAX_TAG_TRIES = 100_000;

/** FNV-1a, 32 bits, of the UTF-8 bytes of `text`: the shard function's hash (stable across versions, platforms and processes). */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** CRC16-CCITT (XMODEM) of `text`, as Redis Cluster hashes keys (cluster spec, "Keys distribution model"). */
export function crc16(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The Redis Cluster slot (0 to 16383) of a key: of its first non-empty `{...}` hash tag when it has one, as CLUSTER KEYSLOT answers. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) return crc16(key.slice(open + 1, close)) % CLUSTER_SLOTS;
  }
  return crc16(key) % CLUSTER_SLOTS;
}

/** The shard (0 to count-1) of an account: FNV-1a 32 of its name, modulo `count`. */
export function shardOfAccount(account: string, count: number): number {
  return count <= 1 ? 0 : fnv1a32(account) % count;
}

/**
 * The key prefix of shard `index` of `count`. One shard: `prefix` itself. Several: `prefix` with its
 * hash tag's text `t` (or, without a tag, the whole prefix wrapped in one) replaced by `t-<index>`,
 * or by `t-<index>-<k>` with the smallest k ≥ 1 when `t-<index>` does not hash into the shard's
 * share of the slots, [index × 16384 / count, (index + 1) × 16384 / count): a cluster whose masters
 * hold equal ranges of slots in order (as `redis-cli --cluster create` makes them) then puts
 * `count / masters` shards on each master instead of wherever CRC16 happens to fall.
 * E.g. `spm`, 3 shards → `{spm-0-…}`, `{spm-1-…}`, `{spm-2-…}` (computed, see the README).
 */
export function shardPrefix(prefix: string, index: number, count: number): string {
  if (count <= 1) return prefix;
  const tag = /\{([^}]+)\}/.exec(prefix);
  const base = tag ? tag[1] : prefix;
  const wrap = (t: string) => (tag ? `${prefix.slice(0, tag.index)}{${t}}${prefix.slice(tag.index + tag[0].length)}` : `{${t}}`);
  const lo = Math.floor((index * CLUSTER_SLOTS) / count);
  const hi = Math.floor(((index + 1) * CLUSTER_SLOTS) / count);
  for (let k = 0; k < MAX_TAG_TRIES; k++) {
    const t = k === 0 ? `${base}-${index}` : `${base}-${index}-${k}`;
    const slot = crc16(t) % CLUSTER_SLOTS;
    if (slot >= lo && slot < hi) return wrap(t);
  }
  return wrap(`${base}-${index}`);
}

/** Which shard each account is in, and each shard's key prefix (see shardPrefix). */
export class Shards {
  /** The shards' key prefixes, by index. */
  readonly prefixes: readonly string[];

  /** `prefix`: `redis.prefix` as the config gives it (already wrapped for a cluster); `count` ≥ 1. */
  constructor(prefix: string, readonly count: number) {
    if (!Number.isInteger(count) || count < 1) throw new Error(`shards: count must be an integer ≥ 1, got ${count}`);
    this.prefixes = Array.from({ length: count }, (_, i) => shardPrefix(prefix, i, count));
  }

  /** The shard index of an account. */
  of(account: string): number {
    return shardOfAccount(account, this.count);
  }

  /** The key prefix of an account's shard. */
  prefixOf(account: string): string {
    return this.prefixes[this.of(account)];
  }

  /** `items` split by shard (index i: the items whose account is in shard i), in their order. */
  split<T>(items: readonly T[], accountOf: (item: T) => string): T[][] {
    const out: T[][] = Array.from({ length: this.count }, () => []);
    for (const item of items) out[this.of(accountOf(item))].push(item);
    return out;
  }
}
