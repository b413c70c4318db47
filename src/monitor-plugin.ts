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

/** What plugins see of the monitor. */
export interface MonitorContext {
  config: MonitorConfig;
  redis: Redis | Cluster;
  registry: Registry;
  store: ReadingStore;
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
