import type { Cluster, Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { AccountConfig, Endpoint, MonitorConfig } from './config/types';
import type { ReadingStore } from './state/reading-store';

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
  onPolled?(account: AccountConfig, endpoint: Endpoint, outcome: 'ok' | 'failed'): Promise<void>;
  close?(): Promise<void>;
}
