import { Counter, Gauge, type Registry } from 'prom-client';

/** The process's view of its Redis: configuration and data loss. */
export interface RedisMetrics {
  /** 1 while `maxmemory-policy` is noeviction (or cannot be read), 0 while Redis may evict keys. */
  configOk: Gauge;
  /** Times this process found the monitor's data gone from Redis. */
  dataLoss: Counter;
}

/**
 * Registers `sendpulse_redis_config_ok` and `sendpulse_redis_data_loss_total` (per process: each replica
 * counts the losses it noticed; usually one replica notices a loss, as the first re-writes the marker).
 */
export function registerRedisMetrics(registry: Registry): RedisMetrics {
  const configOk = new Gauge({
    name: 'sendpulse_redis_config_ok',
    help: '1 while Redis keeps every key (maxmemory-policy noeviction, or the policy cannot be read), 0 while it may evict the monitor\'s keys.',
    registers: [registry],
  });
  configOk.set(1);
  const dataLoss = new Counter({
    name: 'sendpulse_redis_data_loss_total',
    help: 'Times this process found the monitor\'s data gone from Redis (restart without persistence, FLUSHALL, eviction, failover to an empty replica).',
    registers: [registry],
  });
  return { configOk, dataLoss };
}
