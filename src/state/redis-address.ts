import type { RedisConfig } from '../config/types';

/**
 * Where the config says Redis is, as a noun phrase for messages: `Redis at 127.0.0.1:6379` for
 * `redis.url`, `the Redis Cluster at 10.0.0.1:6379, 10.0.0.2:6379` or `the Redis master "mymaster" of
 * the sentinels at 10.0.0.1:26379`. Only
 * host and port are taken from the URL: its user and password never reach a log line or /readyz.
 */
export function redisAddress(cfg: RedisConfig): string {
  if (cfg.cluster) return `the Redis Cluster at ${cfg.cluster.nodes.map((n) => `${n.host}:${n.port}`).join(', ')}`;
  if (cfg.sentinel) return `the Redis master "${cfg.sentinel.name}" of the sentinels at ${cfg.sentinel.sentinels.map((n) => `${n.host}:${n.port}`).join(', ')}`;
  return `Redis at ${hostPort(cfg.url.reveal())}`;
}

/** `host:port` of a redis:// or rediss:// URL (port 6379 when left out); `an unreadable URL` when it does not parse. */
function hostPort(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname.includes(':') && !u.hostname.startsWith('[') ? `[${u.hostname}]` : u.hostname;
    return `${host || '127.0.0.1'}:${u.port || '6379'}`;
  } catch {
    return 'an unreadable URL';
  }
}
