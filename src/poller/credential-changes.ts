import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { ENDPOINTS, type AccountConfig, type Endpoint } from '../config/types';
import type { TokenStore } from '../sendpulse/token-store';
import type { RedisClient } from '../state/redis-connection';
import type { AuthBackoff } from './auth-backoff';

/**
 * A one-way fingerprint of an account's credentials (16 hex digits of a SHA-256 over the account name
 * and its API key, or client id and secret): equal for equal credentials, and the secret cannot be
 * read back from it. Only this goes to Redis.
 */
export function credentialFingerprint(account: AccountConfig): string {
  const h = createHash('sha256').update('sendpulse-monitor credentials v1\0').update(account.name).update('\0');
  if (account.auth.kind === 'apiKey') h.update('apiKey\0').update(account.auth.apiKey.reveal());
  else h.update('oauth\0').update(account.auth.clientId).update('\0').update(account.auth.clientSecret.reveal());
  return h.digest('hex').slice(0, 16);
}

/** An account whose credentials differ from those of the last start, with the new fingerprint. */
export interface CredentialChange {
  account: AccountConfig;
  fingerprint: string;
}

/**
 * Compares every account's credential fingerprint with the one the last start stored in Redis
 * (`<prefix>:credentials`, account → fingerprint), stores the new ones, and returns the accounts whose
 * credentials changed. An account seen for the first time is not a change: its first polls run at once
 * anyway. Two replicas starting together may both report a change; the caller makes that harmless.
 */
export async function credentialChanges(redis: RedisClient, prefix: string, accounts: readonly AccountConfig[]): Promise<CredentialChange[]> {
  if (accounts.length === 0) return [];
  const key = `${prefix}:credentials`;
  const fingerprints = accounts.map(credentialFingerprint);
  const stored = await redis.hmget(key, ...accounts.map((a) => a.name));
  const changes: CredentialChange[] = [];
  const updates: string[] = [];
  accounts.forEach((account, i) => {
    if (stored[i] === fingerprints[i]) return;
    updates.push(account.name, fingerprints[i]);
    if (stored[i] !== null) changes.push({ account, fingerprint: fingerprints[i] });
  });
  if (updates.length > 0) await redis.hset(key, ...updates);
  return changes;
}

/** What pollChangedCredentials needs. */
export interface CredentialChangeDeps {
  authBackoff: AuthBackoff;
  tokens: TokenStore;
  /** Makes `endpoints` of `account` due now, once per `reason` over all replicas (PollSchedule.pollNow). */
  pollNow: (account: string, endpoints: readonly Endpoint[], reason: string) => Promise<void>;
  log: Logger;
}

/**
 * For each account whose credentials changed since the last start: ends its credential back-off and
 * drops its OAuth token (both belong to the old credentials) and polls every endpoint now, so
 * sendpulse_credentials_valid and sendpulse_up recover within seconds instead of at the next
 * scheduled run (an hour for user_info and team). The fingerprint is the poll's reason: two replicas
 * starting together poll once.
 */
export async function pollChangedCredentials(changes: readonly CredentialChange[], deps: CredentialChangeDeps): Promise<void> {
  for (const { account, fingerprint } of changes) {
    deps.log.info({ account: account.name }, 'credentials changed since the last start: polling every endpoint now');
    await deps.authBackoff.succeeded(account.name);
    await deps.tokens.forget(account.name);
    await deps.pollNow(account.name, ENDPOINTS, `credentials-${fingerprint}`);
  }
}
