import { Cluster } from 'ioredis';
import type { Logger } from 'pino';
import { RedisConfigError } from '../errors';
import { isRedisTrouble } from './redis-health';
import type { RedisClient } from './redis-connection';

/**
 * What Redis says its `maxmemory-policy` is; `configRefused` says why CONFIG GET could not be used when
 * the policy came from INFO; `policy` null when Redis would not say at all (CONFIG and INFO refused).
 */
export type EvictionPolicy = { policy: string; configRefused?: string } | { policy: null; why: string };

/** The only policy under which Redis never deletes a key on its own (BullMQ's requirement). */
export const SAFE_POLICY = 'noeviction';

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}

async function policyOf(node: RedisClient): Promise<EvictionPolicy> {
  let configError: string;
  try {
    const reply = (await node.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
    if (Array.isArray(reply) && typeof reply[1] === 'string') return { policy: reply[1] };
    configError = 'no answer';
  } catch (err) {
    if (isRedisTrouble(err)) throw err;
    configError = firstLine(err);
  }
  // Managed Redis services (ElastiCache, Memorystore, Azure) rename or disable CONFIG; INFO memory
  // carries the same setting and is what BullMQ reads too.
  try {
    const info = await node.info('memory');
    const line = /^maxmemory_policy:(\S+)/m.exec(info);
    if (line) return { policy: line[1], configRefused: configError };
    return { policy: null, why: `CONFIG GET: ${configError}; INFO memory has no maxmemory_policy` };
  } catch (err) {
    if (isRedisTrouble(err)) throw err;
    return { policy: null, why: `CONFIG GET: ${configError}; INFO: ${firstLine(err)}` };
  }
}

/**
 * Reads `maxmemory-policy` with CONFIG GET, or from INFO memory when CONFIG is disabled or renamed. On a
 * Redis Cluster every master is asked and the first one that may evict is reported. Throws only on
 * connection trouble (see isRedisTrouble).
 */
export async function readEvictionPolicy(client: RedisClient): Promise<EvictionPolicy> {
  const nodes = client instanceof Cluster ? client.nodes('master') : [client];
  // An evicting node decides at once; else a node that would not say; else one that said through INFO.
  let worst: EvictionPolicy = { policy: SAFE_POLICY };
  for (const node of nodes) {
    const p = await policyOf(node);
    if (p.policy !== null && p.policy !== SAFE_POLICY) return p;
    if (p.policy === null || (worst.policy !== null && worst.configRefused === undefined)) worst = p;
  }
  return worst;
}

/** Options of RedisConfigGuard; defaults next to each. */
export interface RedisConfigGuardOptions {
  client: RedisClient;
  /** Who Redis is, for messages (redisAddress). */
  what: string;
  /** `redis.allowEviction`: run on a Redis that may evict keys, with a warning instead of refusing. */
  allowEviction: boolean;
  /** Called with true while the policy is noeviction (or cannot be read), false while it may evict. */
  onState: (ok: boolean) => void;
  log: Logger;
  /** How often the policy is read again while running; default 5 min. */
  checkMs?: number;
}

/**
 * Keeps an eye on Redis's eviction policy: refuses to start on one that may delete keys (unless
 * `redis.allowEviction`), reads it again every few minutes, and logs one line when it changes.
 * An evicting Redis deletes, when its memory fills, whichever keys its policy picks: BullMQ's job
 * and scheduler keys, the alert state, queued notifications.
 */
export class RedisConfigGuard {
  private last: string | null | undefined = undefined;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: RedisConfigGuardOptions) {}

  /** The warning /readyz shows while the policy may evict keys, else null. */
  warning(): string | null {
    if (!this.last || this.last === SAFE_POLICY) return null;
    return `${this.opts.what} has maxmemory-policy ${this.last}, not ${SAFE_POLICY}: it may delete the monitor's keys when its memory fills`
      + (this.opts.allowEviction ? ' (allowed by redis.allowEviction)' : '');
  }

  /**
   * The check at start: resolves when the policy is noeviction, cannot be read (one warning), or may
   * evict with `allowEviction` set (one warning); otherwise throws a RedisConfigError with the fix.
   */
  async checkAtStart(): Promise<void> {
    const p = await readEvictionPolicy(this.opts.client);
    if (p.policy !== null && p.configRefused !== undefined) {
      this.opts.log.info(`${this.opts.what} refuses CONFIG GET (${p.configRefused}), as managed services do; its maxmemory-policy is read from INFO instead`);
    }
    if (p.policy === null) {
      this.opts.log.warn(`cannot read the maxmemory-policy of ${this.opts.what} (${p.why}); carrying on: make sure it is ${SAFE_POLICY}, as BullMQ requires`);
      this.record(null);
      return;
    }
    if (p.policy !== SAFE_POLICY && !this.opts.allowEviction) {
      throw new RedisConfigError(`${this.opts.what} has maxmemory-policy ${p.policy}: when its memory fills it deletes keys the monitor needs`
        + ` (schedules, alert state, queued notifications), and BullMQ requires ${SAFE_POLICY}. Fix: CONFIG SET maxmemory-policy ${SAFE_POLICY}`
        + ` on that Redis and keep it in redis.conf (or the managed service's parameters); or set redis.allowEviction: true to run anyway`);
    }
    this.record(p.policy);
    if (p.policy !== SAFE_POLICY) this.opts.log.warn({ policy: p.policy }, `${this.warning() as string}; running anyway`);
  }

  /** Reads the policy again every `checkMs` and logs a line when it changed. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.recheck(), this.opts.checkMs ?? 5 * 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async recheck(): Promise<void> {
    let p: EvictionPolicy;
    try {
      p = await readEvictionPolicy(this.opts.client);
    } catch (err) {
      this.opts.log.debug({ err: firstLine(err) }, 'Redis eviction policy check failed');
      return;
    }
    if (p.policy === null || p.policy === this.last) return;
    this.record(p.policy);
    if (p.policy === SAFE_POLICY) {
      this.opts.log.info(`${this.opts.what} has maxmemory-policy ${SAFE_POLICY} again`);
    } else if (this.opts.allowEviction) {
      this.opts.log.warn({ policy: p.policy }, this.warning() as string);
    } else {
      this.opts.log.error({ policy: p.policy }, `${this.warning() as string}; it was changed while the monitor runs.`
        + ` Fix: CONFIG SET maxmemory-policy ${SAFE_POLICY} (a restart refuses to start until then, unless redis.allowEviction is true)`);
    }
  }

  private record(policy: string | null): void {
    this.last = policy;
    this.opts.onState(policy === null || policy === SAFE_POLICY);
  }
}
