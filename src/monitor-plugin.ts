import type { Cluster, Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { AccountConfig, Endpoint, MonitorConfig } from './config/types';
import type { Reading } from './sendpulse/readings';
import type { AccountState, HistoryWrites, ReadingStore } from './state/reading-store';

/**
 * The contract between the monitor process (src/worker.ts) and the modules that add to it (the
 * built-in alerts, ...). Its own module so that neither side imports the other: the host takes its
 * plugins as options (default: src/plugins.ts), and a plugin needs only this file.
 */

/** One shard of the accounts (src/state/shards.ts; one shard unless `redis.shards` says more). */
export interface ShardContext {
  /** 0 to shards-1. */
  index: number;
  /** The shard's key prefix: every key of its accounts, and of its queues, starts with it. */
  prefix: string;
  /** The config as this shard sees it: `redis.prefix` is the shard's, `accounts` the shard's accounts only. */
  config: MonitorConfig;
  store: ReadingStore;
  /**
   * Accounts of this shard whose keys were under another prefix (`from`) before: `redis.shards` changed
   * since the last start. The plugin copies what it keeps per account before its workers start.
   */
  moved: readonly { account: string; from: string }[];
}

/** What plugins see of the monitor. */
export interface MonitorContext {
  /** The whole config (every account; `redis.prefix` as configured, see `shards` for the prefixes in use). */
  config: MonitorConfig;
  redis: Redis | Cluster;
  registry: Registry;
  /** The shards, by index; a plugin keeps its per-account keys in the account's shard. */
  shards: readonly ShardContext[];
  /** The shard index of an account. */
  shardOf(account: string): number;
  /**
   * Prefixes of the shards used before `redis.shards` changed and no longer used (usually empty): a plugin
   * removes what would still run there (job schedulers). Given to every replica that sees the change.
   */
  retiredPrefixes: readonly string[];
  /** The effective poll interval of an account's endpoint, ms (after stretching to fit the budget). */
  intervalFor(account: AccountConfig, endpoint: Endpoint): number;
}

/** A module that adds to a running monitor: metrics, a hook after each poll, a worker of its own. */
export interface MonitorPlugin {
  register?(ctx: MonitorContext): void | Promise<void>;
  /** After a poll's outcome is stored; `state` is the account's state right after a good poll's save (absent: read it). */
  onPolled?(account: AccountConfig, endpoint: Endpoint, outcome: 'ok' | 'failed', state?: AccountState): Promise<void>;
  /** The history points a good poll records in its own save (one script per poll); the first plugin that gives them is used. */
  historyWrites?(account: AccountConfig, endpoint: Endpoint, reading: Reading): HistoryWrites | undefined;
  close?(): Promise<void>;
}
