import { createServer, type Server } from 'node:net';
import type { Worker } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { startNotificationWorker } from '../../../jobs/deliver-notification';
import { AlertEngine } from '../../../src/alerts/alert-engine';
import { createNotificationQueue } from '../../../src/alerts/notification-queue';
import { Secret } from '../../../src/config/secret';
import type { MonitorConfig } from '../../../src/config/types';
import type { Reading } from '../../../src/sendpulse/readings';
import { ReadingStore } from '../../../src/state/reading-store';
import { freePort } from '../../helpers/free-port';
import type { TestRedis } from '../../helpers/redis-server';
import { waitFor } from '../../helpers/wait-for';

import { TestSmtp } from '../../helpers/test-smtp';

export { TestSmtp };

/** Everything one in-process alert test needs: readings store, engine(s) with a settable clock, queue, worker. */
export class AlertHarness {
  clock = Date.UTC(2026, 4, 1, 12);
  readonly redis: Redis;
  readonly readings: ReadingStore;
  readonly queue;
  readonly engine: AlertEngine;
  workers: Worker[] = [];
  private extra: Redis[] = [];

  constructor(readonly r: TestRedis, readonly config: MonitorConfig, readonly prefix: string) {
    this.redis = new IORedis(r.url);
    this.readings = new ReadingStore(this.redis, prefix);
    this.queue = createNotificationQueue({ connection: { host: '127.0.0.1', port: r.port }, prefix, maxAttempts: config.alerts.maxAttempts, backoffMs: 100 });
    this.engine = this.newEngine();
  }

  /** Another engine on its own connection, as a second replica would have. */
  newEngine(redis?: Redis): AlertEngine {
    const conn = redis ?? new IORedis(this.r.url);
    if (!redis) this.extra.push(conn);
    return new AlertEngine({ redis: conn, prefix: this.prefix, config: this.config, queue: this.queue, now: () => this.clock,
      intervalFor: (account, endpoint) => account.intervals[endpoint] });
  }

  startWorker(opts: { lockDuration?: number; stalledInterval?: number } = {}): Worker {
    const conn = new IORedis(this.r.url, { maxRetriesPerRequest: null });
    this.extra.push(conn);
    const w = startNotificationWorker({ connection: conn, redis: this.redis,
      prefix: this.prefix, config: this.config, concurrency: 1, ...opts });
    this.workers.push(w);
    return w;
  }

  /** A good balance poll at the current clock, then the engine hook, as the poll job does. */
  async pollOk(reading: Reading, engine = this.engine, account = 'main'): Promise<void> {
    const a = this.config.accounts.find((x) => x.name === account)!;
    const saved = await this.readings.saveSuccess(account, 'balance', reading, this.clock, engine.historyWrites(a, reading));
    await engine.onPoll(a, 'balance', 'ok', saved.state);
  }

  async pollFailed(engine = this.engine, account = 'main'): Promise<void> {
    await this.readings.saveFailure(account, 'balance', 'invalid_response', this.clock);
    await engine.onPoll(this.config.accounts.find((a) => a.name === account)!, 'balance', 'failed');
  }

  /** Waits until no notification is queued, running, delayed or left in the outbox. */
  async settle(timeoutMs = 20000): Promise<void> {
    await waitFor('notifications to settle', async () => {
      const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      const outbox = await this.redis.hlen(`${this.prefix}:alerts:outbox`);
      return c.waiting + c.active + c.delayed + c.prioritized === 0 && outbox === 0;
    }, timeoutMs, 50);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await this.queue.close();
    for (const c of this.extra) c.disconnect();
    this.redis.disconnect();
  }
}

/** The e-mail channel pointed at a TestSmtp. */
export function emailTo(smtp: TestSmtp): MonitorConfig['alerts']['email'] {
  return { smtpUrl: new Secret(smtp.url), from: 'monitor@example.test', to: ['ops@example.test'] };
}

/** A port with nothing listening. */
export async function closedPort(): Promise<number> {
  const port = await freePort();
  const s: Server = createServer();
  s.close();
  return port;
}
