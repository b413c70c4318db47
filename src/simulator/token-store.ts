import { randomBytes } from 'node:crypto';

interface TokenEntry {
  accountId: string;
  tokenId: string;
  expiresAt: number;
}

/** What a bearer token is: whose, its short id, and whether it has expired. */
export interface TokenLookup {
  accountId: string;
  tokenId: string;
  expired: boolean;
}

const JWT_HEADER = Buffer.from('{"typ":"JWT","alg":"RS256"}').toString('base64url');

/**
 * Issued OAuth tokens, looked up in O(1) by the token string. Each token has a short id (`t1`,
 * `t2`, ...) for the request log, so tests can tell tokens apart without the log holding one.
 * An earlier token stays valid until its own expiry, as SendPulse's do.
 */
export class TokenStore {
  readonly #byToken = new Map<string, TokenEntry>();
  readonly #byAccount = new Map<string, Set<string>>();
  #issued = 0;

  /** A new token for the account, living `ttlSeconds` from `now`. */
  issue(accountId: string, ttlSeconds: number, now: number): { token: string; tokenId: string } {
    this.#purge(accountId, now);
    const tokenId = `t${++this.#issued}`;
    // Shaped like SendPulse's (a JWT) so clients that log or measure tokens see realistic ones.
    const payload = Buffer.from(JSON.stringify({
      aud: accountId, jti: tokenId, iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + ttlSeconds,
    })).toString('base64url');
    const token = `${JWT_HEADER}.${payload}.${randomBytes(48).toString('base64url')}`;
    this.#byToken.set(token, { accountId, tokenId, expiresAt: now + ttlSeconds * 1000 });
    let set = this.#byAccount.get(accountId);
    if (!set) this.#byAccount.set(accountId, (set = new Set()));
    set.add(token);
    return { token, tokenId };
  }

  /** Whose token this is, or undefined for a token never issued (or dropped with its account). */
  lookup(token: string, now: number): TokenLookup | undefined {
    const e = this.#byToken.get(token);
    return e && { accountId: e.accountId, tokenId: e.tokenId, expired: now >= e.expiresAt };
  }

  /** Unexpired tokens of the account. */
  count(accountId: string, now: number): number {
    let n = 0;
    for (const token of this.#byAccount.get(accountId) ?? []) {
      if ((this.#byToken.get(token)?.expiresAt ?? 0) > now) n++;
    }
    return n;
  }

  /** Makes the account's tokens (or every token) expire at `now`; returns how many were live. */
  expire(now: number, accountId?: string): number {
    let n = 0;
    const ids = accountId === undefined ? [...this.#byAccount.keys()] : [accountId];
    for (const id of ids) {
      for (const token of this.#byAccount.get(id) ?? []) {
        const e = this.#byToken.get(token);
        if (e && e.expiresAt > now) {
          e.expiresAt = now;
          n++;
        }
      }
    }
    return n;
  }

  /** Forgets every token of the account (it was removed): they answer 401 from now on. */
  drop(accountId: string): void {
    for (const token of this.#byAccount.get(accountId) ?? []) this.#byToken.delete(token);
    this.#byAccount.delete(accountId);
  }

  // Expired tokens are kept until the account asks for a new one, so a client using one still
  // gets the 401 of an expired token (and is logged as that account) rather than an unknown one.
  #purge(accountId: string, now: number): void {
    const set = this.#byAccount.get(accountId);
    if (!set) return;
    for (const token of set) {
      const e = this.#byToken.get(token);
      if (!e || e.expiresAt <= now) {
        set.delete(token);
        this.#byToken.delete(token);
      }
    }
  }
}
