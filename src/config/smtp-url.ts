import type { Secret } from './secret';
import type { Parsed, Parser } from './value-parsers';
import { secretUrl } from './value-parsers';

/** The ports whose TLS mode is a convention (RFC 8314): 465 speaks TLS at once, 587 and 25 upgrade with STARTTLS. */
const IMPLICIT_TLS_PORT = 465;
const STARTTLS_PORTS = [587, 25];

/**
 * Why a URL's user or password would be cut short, or null: `#`, `/` or `?` before the last `@` end
 * the authority part of a URL, so the rest of the password is read as the host (`getaddrinfo ENOTFOUND`
 * with a piece of the password) or the URL does not parse. Never quotes the URL.
 */
export function unencodedUserinfoProblem(raw: string): string | null {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(.*)$/is.exec(raw);
  const rest = m?.[1] ?? '';
  const at = rest.lastIndexOf('@');
  if (at < 0 || !/[/?#]/.test(rest.slice(0, at))) return null;
  return 'has a user name or password with a character that must be percent-encoded in a URL (# / or ?), '
    + 'so the URL names a wrong host: write # as %23, / as %2F, ? as %3F (and @ as %40, : as %3A, % as %25), '
    + 'e.g. with encodeURIComponent';
}

/** Why the scheme does not fit the port's TLS convention, or null (any other port is left to the user). */
export function tlsModeProblem(url: URL): string | null {
  const port = Number(url.port || (url.protocol === 'smtps:' ? IMPLICIT_TLS_PORT : 587));
  if (url.protocol === 'smtps:' && STARTTLS_PORTS.includes(port)) {
    return `smtps:// starts TLS at once (implicit TLS, port ${IMPLICIT_TLS_PORT}), but port ${port} expects STARTTLS: `
      + `write smtp:// with port ${port} (the connection is upgraded with STARTTLS when the server offers it)`;
  }
  if (url.protocol === 'smtp:' && port === IMPLICIT_TLS_PORT) {
    return `port ${IMPLICIT_TLS_PORT} expects TLS at once (implicit TLS): write smtps:// with port ${IMPLICIT_TLS_PORT} `
      + '(smtp:// is plain text upgraded with STARTTLS, usually on port 587)';
  }
  return null;
}

/**
 * An SMTP URL (`smtp://` or `smtps://`) as a Secret: also rejects a password that needs
 * percent-encoding and a scheme that does not fit the port's TLS mode. Problems never quote the URL.
 */
export const smtpUrl: Parser<Secret> = (input): Parsed<Secret> => {
  if (typeof input === 'string') {
    const userinfo = unencodedUserinfoProblem(input);
    if (userinfo) return { ok: false, problem: userinfo };
  }
  const r = secretUrl(['smtp:', 'smtps:'])(input);
  if (!r.ok) return r;
  const tls = tlsModeProblem(new URL(r.value.reveal()));
  return tls ? { ok: false, problem: tls } : r;
};
