import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { MonitorConfig } from '../config/types';

/**
 * A Redis connection from the config. `blocking` connections (BullMQ workers) must have
 * maxRetriesPerRequest null (BullMQ's rule); others fail a command fast while Redis is down, so
 * /metrics and the poll jobs notice instead of hanging.
 */
export function createRedis(cfg: MonitorConfig['redis'], log: Logger, opts: { blocking?: boolean; name?: string } = {}): Redis {
  const extra: RedisOptions = {
    maxRetriesPerRequest: opts.blocking ? null : 2,
    enableReadyCheck: true,
    connectionName: opts.name,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
  const password = (cfg as { password?: { reveal(): string } }).password;
  if (password) extra.password = password.reveal();
  const redis = new Redis(cfg.url.reveal(), extra);
  let lastLogged = 0;
  redis.on('error', (err: Error) => {
    // ioredis emits an error per reconnect attempt; one line per 10 s is enough to see an outage.
    if (Date.now() - lastLogged > 10_000) {
      lastLogged = Date.now();
      log.warn({ err: err.message, connection: opts.name }, 'redis connection error');
    }
  });
  return redis;
}
