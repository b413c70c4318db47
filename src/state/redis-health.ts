import type { Logger } from 'pino';
import { ClosingError } from '../errors';
import type { RedisClient } from './redis-connection';

/** Whether the monitor's Redis answers, and if not why, as seen on its main connection. */
export interface RedisHealth {
  /** True while the watched connection is ready. */
  ready(): boolean;
  /** Null while ready; otherwise why not, e.g. `cannot reach Redis at 127.0.0.1:6390 (ECONNREFUSED)`. */
  reason(): string | null;
  /** Resolves once the connection is ready (at once when it is); rejects with ClosingError when `signal` aborts. */
  untilReady(signal?: AbortSignal): Promise<void>;
  /** Stops watching (no more log lines). */
  stop(): void;
}

/** Options of watchRedisHealth; defaults next to each. */
export interface RedisHealthOptions {
  /** How often the connection retries at most, for the log line ("retrying every 2 s"). */
  retryEveryMs: number;
  /** The clock, ms; default Date.now. */
  now?: () => number;
}

// Node's socket and DNS errors: Redis is not there (yet), as opposed to Redis saying no.
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN',
  'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);
// ioredis's own errors while it has no usable connection (Redis.js, cluster/index.js, SentinelConnector).
const CONNECTION_MESSAGES = [/^Connection is closed/, /^Stream isn't writeable/, /max retries per request/i,
  /^Failed to refresh slots cache/, /^None of startup nodes is available/, /^All sentinels are unreachable/,
  /^Connection timeout/, /^connect ETIMEDOUT/, /^Command timed out/];
// Replies Redis gives on every command while it cannot serve: a wrong password, no password, still loading.
const REPLY_CODES = new Set(['WRONGPASS', 'NOAUTH', 'LOADING', 'MASTERDOWN', 'CLUSTERDOWN', 'TRYAGAIN']);

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string') return e.code;
  const word = typeof e?.message === 'string' ? /^([A-Z]{4,})\b/.exec(e.message)?.[1] : undefined;
  return word;
}

/**
 * True for errors that only say Redis cannot be used right now (unreachable, closed, wrong password,
 * loading): the connection state line already reports them, so callers log these at debug level.
 */
export function isRedisTrouble(err: unknown): boolean {
  const code = codeOf(err);
  if (code && (UNREACHABLE.has(code) || REPLY_CODES.has(code))) return true;
  const message = (err as { message?: unknown } | null)?.message;
  return typeof message === 'string' && CONNECTION_MESSAGES.some((re) => re.test(message));
}

/** How describeRedisError begins every reason that means "no connection" (whatever the code). */
const CANNOT_REACH = 'cannot reach ';

/**
 * One sentence saying why `what` (see redisAddress) cannot be used, from a connection error:
 * `cannot reach Redis at 127.0.0.1:6390 (ECONNREFUSED)`, `Redis at 127.0.0.1:6379 refused the password
 * (WRONGPASS)`. The message of an unknown error is kept to its first line (never a stack).
 */
export function describeRedisError(err: unknown, what: string): string {
  const code = codeOf(err);
  const message = String((err as { message?: unknown } | null)?.message ?? err).split('\n')[0];
  if (code === 'WRONGPASS') return `${what} refused the password (WRONGPASS)`;
  if (code === 'NOAUTH') return `${what} wants a password (NOAUTH): set redis.password or redis.passwordFile`;
  if (code === 'LOADING') return `${what} is loading its data set (LOADING)`;
  if (code && UNREACHABLE.has(code)) return `${CANNOT_REACH}${what} (${code})`;
  if (/^(Failed to refresh slots cache|None of startup nodes is available)/.test(message)) return `${CANNOT_REACH}${what} (no node answered)`;
  if (/^All sentinels are unreachable/.test(message)) return `${CANNOT_REACH}${what} (no sentinel answered)`;
  if (code && (/CERT|TLS|SSL/.test(code) || /certificate/i.test(message))) return `TLS to ${what} failed: ${message} (${code})`;
  return `${what}: ${message}`;
}

/**
 * Watches one connection and logs one line per change of state: `cannot reach Redis at HOST:PORT
 * (ECONNREFUSED); retrying every 2 s` when it goes (or a new line when the reason changes, e.g. a
 * restarted Redis that now wants another password; not from one "cannot reach" code to another),
 * and `Redis reachable again after 42 s` when it comes back. ioredis emits an error per reconnect
 * attempt; those repeat nothing new and stay silent.
 */
export function watchRedisHealth(client: RedisClient, what: string, log: Logger, opts: RedisHealthOptions): RedisHealth {
  const now = opts.now ?? Date.now;
  let up = client.status === 'ready';
  let reason: string | null = up ? null : `connecting to ${what}`;
  let logged: string | null = null;
  let downSince = now();
  let everUp = up;
  let waiters: (() => void)[] = [];
  const retry = `retrying every ${Math.round(opts.retryEveryMs / 1000)} s`;

  const onReady = () => {
    if (up) return;
    up = true;
    reason = null;
    const seconds = Math.round((now() - downSince) / 1000);
    if (logged) log.info({ downSeconds: seconds }, `${capitalise(what)} reachable again after ${seconds} s`);
    else if (!everUp) log.info(`connected to ${what}`);
    else log.debug(`reconnected to ${what}`);
    logged = null;
    everUp = true;
    const w = waiters;
    waiters = [];
    for (const resolve of w) resolve();
  };
  const goDown = (why: string) => {
    if (up) {
      up = false;
      downSince = now();
    }
    reason = why;
  };
  const onError = (err: unknown) => {
    const why = describeRedisError(err, what);
    goDown(why);
    if (logged !== null && sameTrouble(why, logged)) return;
    logged = why;
    log.warn({ code: codeOf(err) }, `${why}; ${retry}`);
  };
  const onClose = () => {
    if (up) goDown(`lost the connection to ${what}; reconnecting`);
  };
  client.on('ready', onReady);
  client.on('error', onError);
  client.on('close', onClose);
  client.on('end', onClose);
  // A cluster reports each node's trouble separately; the cluster's own 'error' is for the whole.
  client.on('node error', onError);

  return {
    ready: () => up,
    reason: () => (up ? null : reason),
    untilReady: (signal) => {
      if (up) return Promise.resolve();
      if (signal?.aborted) return Promise.reject(new ClosingError());
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          waiters = waiters.filter((w) => w !== done);
          reject(new ClosingError());
        };
        const done = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        waiters.push(done);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    stop: () => {
      client.off('ready', onReady);
      client.off('error', onError);
      client.off('close', onClose);
      client.off('end', onClose);
      client.off('node error', onError);
    },
  };
}

/**
 * Whether two reasons from describeRedisError are one trouble for the log: any two "cannot reach"
 * reasons are (a Redis killed mid-command resets the connection, ECONNRESET, then refuses the
 * reconnects, ECONNREFUSED: one loss, one line); any others only when equal.
 */
function sameTrouble(a: string, b: string): boolean {
  return a === b || (a.startsWith(CANNOT_REACH) && b.startsWith(CANNOT_REACH));
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * An 'error' listener for a BullMQ queue or worker: Redis trouble (already reported once by
 * watchRedisHealth) at debug level, anything else at warn with `message`. BullMQ emits such an error
 * on every retry of its loops, hundreds a minute while Redis is down.
 */
export function logBullError(log: Logger, message: string): (err: Error) => void {
  // The error as an object (the logger's err serializer keeps type, message and code, never the stack).
  return (err: Error) => {
    if (isRedisTrouble(err)) log.debug({ err }, message);
    else log.warn({ err }, message);
  };
}
