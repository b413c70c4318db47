import { createHash, timingSafeEqual } from 'node:crypto';
import type { ServerAuth } from '../config/types';

/** The realm named in the WWW-Authenticate challenge. */
export const AUTH_REALM = 'sendpulse-monitor';

/** The `WWW-Authenticate` value a 401 carries for `auth` (RFC 6750 for bearer, RFC 7617 for basic). */
export function authChallenge(auth: ServerAuth): string {
  return auth.kind === 'bearer' ? `Bearer realm="${AUTH_REALM}"` : `Basic realm="${AUTH_REALM}", charset="UTF-8"`;
}

/**
 * True when the `Authorization` header carries the configured bearer token or basic-auth pair. The
 * comparison is constant-time in the secret: both sides are hashed first, so neither the content nor
 * the length of the secret shows in how long a wrong guess takes.
 */
export function checkAuth(auth: ServerAuth, header: string | undefined): boolean {
  if (!header) return false;
  const space = header.indexOf(' ');
  if (space < 0) return false;
  const scheme = header.slice(0, space).toLowerCase();
  const credentials = header.slice(space + 1).trim();
  if (auth.kind === 'bearer') return scheme === 'bearer' && same(credentials, auth.token.reveal());
  if (scheme !== 'basic') return false;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Both halves are always compared, so a right user name with a wrong password takes as long as neither.
  const userOk = same(decoded.slice(0, colon), auth.username);
  const passwordOk = same(decoded.slice(colon + 1), auth.password.reveal());
  return userOk && passwordOk;
}

function same(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
