/** TLS error codes (Node's `err.code`, kept by nodemailer as `originalCode`) that mean "certificate not trusted". */
const UNTRUSTED_CERT = new Set([
  'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_NOT_YET_VALID',
]);

/** OpenSSL's reasons when a TLS client gets plain text: the server did not start TLS at once. */
const NOT_TLS = new Set(['wrong version number', 'packet length too long', 'unknown protocol', 'http request']);

/**
 * One line that explains a nodemailer error whose raw text does not help (an OpenSSL record dump, a
 * greeting timeout, a certificate error), naming the host and port of the SMTP URL and never its
 * user or password; null for errors that already say what they mean (ECONNREFUSED, an SMTP reply).
 */
export function smtpErrorHint(err: unknown, smtpUrl: string): string | null {
  const e = (err ?? {}) as { code?: string; originalCode?: string; command?: string; reason?: string };
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    return null;
  }
  const secure = url.protocol === 'smtps:';
  const port = url.port || (secure ? '465' : '587');
  const where = `${url.hostname}:${port}`;
  if (e.code === 'ESOCKET' && secure && e.reason !== undefined && NOT_TLS.has(e.reason)) {
    return `TLS with ${where} failed: the server answered in plain text, so this port expects STARTTLS. `
      + 'Write smtp:// for STARTTLS (usually port 587); smtps:// is for TLS at once (implicit TLS, usually port 465).';
  }
  if (e.code === 'ETIMEDOUT' && e.command === 'CONN' && !secure) {
    return `no SMTP greeting from ${where}: if this port expects TLS at once (implicit TLS, usually port 465), `
      + 'write smtps://; smtp:// is plain text upgraded with STARTTLS (usually port 587).';
  }
  if (e.code === 'ESOCKET' && e.originalCode !== undefined && UNTRUSTED_CERT.has(e.originalCode)) {
    return `the TLS certificate of ${where} is not trusted (${e.originalCode}): fix the server's certificate, `
      + 'or add ?tls.rejectUnauthorized=false to the URL (only on a network you trust: it accepts any certificate).';
  }
  return null;
}
