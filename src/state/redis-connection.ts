import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type Callback, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { RedisConfig, RedisTls } from '../config/types';
import { redactRedisErrors } from './redact-redis-errors';

/** A connection to a single Redis, a Sentinel-managed master, or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** The longest pause between two reconnect attempts, ms (the first ones come sooner: 200 ms, 400 ms ...). */
export const REDIS_RETRY_MAX_MS = 2000;

const retryStrategy = (times: number) => Math.min(times * 200, REDIS_RETRY_MAX_MS);

/** Options of one connection; defaults next to each. */
export interface CreateRedisOptions {
  /** A BullMQ worker connection (blocking commands): maxRetriesPerRequest null, BullMQ's rule; default false. */
  blocking?: boolean;
  /** CLIENT SETNAME, to tell the monitor's connections apart in CLIENT LIST; default none. */
  name?: string;
  /**
   * ioredis auto-pipelining: commands issued in the same event-loop tick go out in one socket write
   * (each write is a system call; at hundreds of polls per second they were a fifth of the CPU).
   * For the state connection of many concurrent polls; not for BullMQ's, and not on a Redis Cluster
   * (see there). Default false.
   */
  autoPipelining?: boolean;
}

/**
 * A Redis connection from the config: a cluster when `redis.cluster` is set, a Sentinel master when
 * `redis.sentinel` is, else `redis.url`; with the password and TLS settings applied. Non-blocking
 * connections fail a command fast while Redis is down, so /metrics and the poll jobs notice instead
 * of hanging.
 */
export function createRedis(cfg: RedisConfig, log: Logger, opts: CreateRedisOptions = {}): RedisClient {
  // A failed AUTH carries the password in err.command.args: hide it before any error can be logged.
  redactRedisErrors();
  const common: RedisOptions = {
    maxRetriesPerRequest: opts.blocking ? null : 2,
    enableReadyCheck: true,
    connectionName: opts.name,
    retryStrategy,
    // disconnect() waits this long for a half-open socket (Redis unreachable) before destroying it:
    // ioredis's default of 2 s would hold up a shutdown for nothing.
    disconnectTimeout: 200,
    enableAutoPipelining: opts.autoPipelining === true && !opts.blocking,
  };
  if (cfg.password) common.password = cfg.password.reveal();
  const tls = cfg.tls ? tlsOptions(cfg.tls) : undefined;
  let client: RedisClient;
  if (cfg.cluster) {
    const anyTls = tls ?? (cfg.cluster.nodes.some((n) => n.tls) ? {} : undefined);
    const options: ClusterOptions = {
      redisOptions: { ...common, enableAutoPipelining: false, tls: anyTls },
      enableReadyCheck: true,
      clusterRetryStrategy: retryStrategy,
      // Not auto-pipelined on a cluster: ioredis 5.11 then sends commands of several masters' slots in one
      // pipeline while it maps slots ("All keys in the pipeline should belong to the same slots allocation group").
      // With TLS the certificate names the host the user wrote, not the IP the cluster announces;
      // ioredis's documented fix is to skip the lookup so the name reaches the TLS layer.
      dnsLookup: (address, callback) => callback(null, address),
    };
    client = new Cluster(cfg.cluster.nodes.map((n) => ({ host: n.host, port: n.port })), options);
  } else if (cfg.sentinel) {
    client = new SentinelRedis({
      ...common,
      sentinels: cfg.sentinel.sentinels.map((n) => ({ host: n.host, port: n.port })),
      name: cfg.sentinel.name,
      sentinelPassword: cfg.sentinel.password?.reveal(),
      // ioredis applies `tls` to the master only with this flag; the sentinels get the same settings.
      tls,
      enableTLSForSentinelMode: tls !== undefined,
      sentinelTLS: tls,
      sentinelRetryStrategy: retryStrategy,
      // A Sentinel that accepts the connection but never answers (a stopped process) would hold the
      // master's lookup for ever: ioredis sets no command timeout on its sentinel connections by default.
      sentinelCommandTimeout: SENTINEL_COMMAND_TIMEOUT_MS,
      // After a failover the old master stays a master until Sentinel demotes it on its next INFO round
      // (up to 10 s): writes made there meanwhile are lost (the soak saw alerts mailed twice). Listening
      // for +switch-master moves the connection to the new master at once.
      failoverDetector: true,
    });
  } else {
    // A `rediss://` URL turns TLS on by itself; `redis.tls` adds the CA or skips verification.
    client = new Redis(cfg.url.reveal(), tls ? { ...common, tls } : common);
  }
  watchErrors(client, log, opts.name);
  return client;
}

/** How long one Sentinel may take to name the master before the next one is asked, ms. */
export const SENTINEL_COMMAND_TIMEOUT_MS = 2000;

/**
 * A Sentinel-managed connection that never gives up unless it is closed on purpose (`disconnect()`,
 * `quit()`); its `duplicate()`s (BullMQ's blocking connections) are the same kind.
 *
 * Why: in ioredis 5.x (seen with 5.11.1) a connection that is looking the master up again (after its
 * socket closed: the master was killed) when the failover detector hears `+switch-master` is ended for
 * good: the detector stops the connector, the lookup in flight then fails with "Connection is closed."
 * and ioredis sets the status to `end`, with no reconnect. Every command then fails at once, for the
 * life of the process (the soak saw replicas serve values 28 minutes old and stop polling after a
 * master was SIGKILLed). This class connects again, after the usual back-off, whenever the connection
 * ends without having been closed on purpose.
 */
export class SentinelRedis extends Redis {
  #closed = false;
  #attempts = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: RedisOptions) {
    super(options);
    this.on('ready', () => { this.#attempts = 0; });
    this.on('end', () => this.#reconnectLater());
  }

  override disconnect(reconnect = false): void {
    if (!reconnect) this.#stop();
    super.disconnect(reconnect);
  }

  override quit(callback?: Callback<'OK'>): Promise<'OK'> {
    this.#stop();
    return super.quit(callback);
  }

  override duplicate(override?: Partial<RedisOptions>): Redis {
    return new SentinelRedis({ ...this.options, ...override });
  }

  #stop(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #reconnectLater(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (!this.#closed && this.status === 'end') this.connect().catch(() => undefined);
    }, retryStrategy(++this.#attempts));
  }
}

/** Node TLS options for `redis.tls`. */
function tlsOptions(t: RedisTls): ConnectionOptions {
  const options: ConnectionOptions = { rejectUnauthorized: !t.insecureSkipVerify };
  if (t.ca) options.ca = t.ca.reveal();
  if (t.insecureSkipVerify) options.checkServerIdentity = () => undefined;
  return options;
}

// Every connection needs an 'error' listener (without one ioredis prints each error with its stack on
// stderr), but the outage itself is reported once, by watchRedisHealth on the main connection: the
// per-connection errors stay at debug level, one per 10 s.
function watchErrors(client: RedisClient, log: Logger, connection: string | undefined): void {
  let lastLogged = 0;
  const onError = (err: Error) => {
    if (Date.now() - lastLogged > 10_000) {
      lastLogged = Date.now();
      log.debug({ err, connection }, 'redis connection error');
    }
  };
  client.on('error', onError);
  // A cluster reports each node's trouble separately; the cluster's own 'error' is for the whole.
  if (client instanceof Cluster) client.on('node error', onError);
}
