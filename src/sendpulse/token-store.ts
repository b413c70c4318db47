import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { ErrorCodes, SpmError } from '../errors';
import { renewAtMs } from './token-lifetime';

/** A token as kept in Redis. */
interface StoredToken {
  token: string;
  obtainedAtMs: number;
  expiresAtMs: number;
  renewAtMs: number;
}

/** Asks SendPulse for a new token: `{ accessToken, expiresInSec }`. */
export type TokenFetcher = () => Promise<{ accessToken: string; expiresInSec: number }>;

// Delete the token only if it is still the one the caller saw fail: another replica may already have
// stored a fresh one, which must not be thrown away.
const DELETE_IF_SAME = `
local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).token == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

// Release the renewal lock only if we still own it (it may have expired and been taken by another replica).
const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Where the client gets OAuth tokens from: Redis-shared (TokenStore) or process-local (MemoryTokens). */
export interface TokenProvider {
  get(account: string, fetch: TokenFetcher): Promise<string>;
  invalidate(account: string, token: string): Promise<void>;
}

/**
 * Process-local tokens for one-shot commands (`check`) that run without Redis. A failed token request
 * is remembered for the life of this object: a one-shot command asks SendPulse once per account and
 * reports one failure, not one per endpoint.
 */
export class MemoryTokens implements TokenProvider {
  private readonly tokens = new Map<string, { token: string; renewAtMs: number }>();
  private readonly pending = new Map<string, Promise<string>>();
  private readonly failed = new Map<string, unknown>();
  async get(account: string, fetch: TokenFetcher): Promise<string> {
    if (this.failed.has(account)) throw this.failed.get(account);
    const t = this.tokens.get(account);
    if (t && Date.now() < t.renewAtMs) return t.token;
    let p = this.pending.get(account);
    if (!p) {
      const obtained = Date.now();
      p = fetch().then(({ accessToken, expiresInSec }) => {
        this.tokens.set(account, { token: accessToken, renewAtMs: renewAtMs(obtained, expiresInSec * 1000) });
        return accessToken;
      }, (err: unknown) => {
        this.failed.set(account, err);
        throw err;
      }).finally(() => this.pending.delete(account));
      this.pending.set(account, p);
    }
    return p;
  }
  async invalidate(account: string, token: string): Promise<void> {
    if (this.tokens.get(account)?.token === token) this.tokens.delete(account);
  }
}

/**
 * One OAuth token per account, shared by every replica through Redis. Renewal is single-flight across
 * replicas (a Redis lock) and within a process (a shared promise); while one renews, the others keep
 * using the old token as long as it has not expired, so a renewal never stalls polling.
 */
export class TokenStore implements TokenProvider {
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    private readonly opts: { lockTtlMs: number; now?: () => number; waitStepMs?: number },
  ) {}

  /** The key of an account's stored token. */
  key(account: string): string {
    return `${this.prefix}:token:{${account}}`;
  }
  private lockKey(account: string): string {
    return `${this.prefix}:token:{${account}}:lock`;
  }
  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  /** A valid token for the account: the cached one, or a fresh one fetched once for all replicas. */
  async get(account: string, fetch: TokenFetcher): Promise<string> {
    const stored = await this.read(account);
    const now = this.now();
    if (stored && now < stored.renewAtMs) return stored.token;
    let p = this.inflight.get(account);
    if (!p) {
      p = this.renew(account, fetch, stored).finally(() => this.inflight.delete(account));
      this.inflight.set(account, p);
    }
    return p;
  }

  /** Drops the token after SendPulse rejected it (401), unless another replica already replaced it. */
  async invalidate(account: string, token: string): Promise<void> {
    await this.redis.eval(DELETE_IF_SAME, 1, this.key(account), token);
  }

  /** Drops the account's token whatever it is: its credentials changed, so the token belongs to the old ones. */
  async forget(account: string): Promise<void> {
    await this.redis.del(this.key(account));
  }


  private async read(account: string): Promise<StoredToken | null> {
    const raw = await this.redis.get(this.key(account));
    if (!raw) return null;
    try {
      return JSON.parse(raw) as StoredToken;
    } catch {
      return null;
    }
  }

  private async renew(account: string, fetch: TokenFetcher, seen: StoredToken | null): Promise<string> {
    const lockId = randomUUID();
    const got = await this.redis.set(this.lockKey(account), lockId, 'PX', this.opts.lockTtlMs, 'NX');
    if (got !== 'OK') {
      // Another replica is renewing. The old token is still good until it expires: use it.
      if (seen && this.now() < seen.expiresAtMs) return seen.token;
      return this.waitForOther(account, seen);
    }
    try {
      // Someone may have renewed between our read and our lock.
      const current = await this.read(account);
      if (current && this.now() < current.renewAtMs && current.token !== seen?.token) return current.token;
      const obtainedAtMs = this.now();
      const { accessToken, expiresInSec } = await fetch();
      const lifetimeMs = expiresInSec * 1000;
      const stored: StoredToken = {
        token: accessToken,
        obtainedAtMs,
        expiresAtMs: obtainedAtMs + lifetimeMs,
        renewAtMs: renewAtMs(obtainedAtMs, lifetimeMs),
      };
      await this.redis.set(this.key(account), JSON.stringify(stored), 'PX', Math.max(1, lifetimeMs));
      return accessToken;
    } finally {
      await this.redis.eval(RELEASE_LOCK, 1, this.lockKey(account), lockId).catch(() => undefined);
    }
  }

  private async waitForOther(account: string, seen: StoredToken | null): Promise<string> {
    const step = this.opts.waitStepMs ?? 100;
    const until = Date.now() + this.opts.lockTtlMs;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, step));
      const cur = await this.read(account);
      if (cur && cur.token !== seen?.token && this.now() < cur.expiresAtMs) return cur.token;
      if (!(await this.redis.exists(this.lockKey(account)))) break;
    }
    const cur = await this.read(account);
    if (cur && this.now() < cur.expiresAtMs) return cur.token;
    // The renewing replica failed (bad credentials, timeout): the job retries on its next run.
    throw new SpmError(ErrorCodes.TOKEN_BUSY, `${account}: token renewal by another replica did not complete`, { endpoint: 'oauth_token' });
  }
}
