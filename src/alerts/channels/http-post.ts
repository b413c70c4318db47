import { request } from 'undici';
import { DeliveryFailedError, DeliveryRejectedError } from '../../errors';

/**
 * The HTTP side every web channel shares: POST JSON, and turn the answer into delivered, rejected
 * (a 4xx other than 429: retrying cannot fix a wrong URL or a refused payload) or failed (network,
 * timeout, 5xx, 429 with the wait the service asked for), as Alertmanager's notify.Retrier does.
 * Every message that leaves here has the channel's secrets cut out.
 */

/** An HTTP answer: status, body text and headers (lower-case names). */
export interface HttpAnswer {
  status: number;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Options of postJson. */
export interface PostJsonOptions {
  /** The channel name, first word of every error message. */
  channel: string;
  url: string;
  body: unknown;
  headers?: Record<string, string>;
  /** Connect, headers and body timeout, ms. */
  timeoutMs: number;
  /** Values cut out of every message (URLs, tokens, passwords; see secretsOfUrl). */
  secrets: readonly string[];
  /** The service's reason for an error answer; default: the body's first 200 characters. */
  reason?(a: HttpAnswer): string | undefined;
  /** The wait a 429 asks for in its body, ms (Discord's retry_after, Telegram's parameters.retry_after). */
  retryAfterFromBody?(a: HttpAnswer): number | undefined;
}

/** The longest wait a service may ask for before we retry anyway, ms (1 hour). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** POSTs JSON; resolves with a 2xx answer, throws DeliveryRejectedError or DeliveryFailedError otherwise. */
export async function postJson(o: PostJsonOptions): Promise<HttpAnswer> {
  let answer: HttpAnswer;
  try {
    const res = await request(o.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'sendpulse-monitor', ...o.headers },
      body: JSON.stringify(o.body),
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
      signal: AbortSignal.timeout(o.timeoutMs * 2),
    });
    answer = { status: res.statusCode, text: await res.body.text(), headers: res.headers };
  } catch (err) {
    throw new DeliveryFailedError(o.channel, scrub(networkMessage(err), o.secrets));
  }
  return classify(o, answer);
}

/** Delivered (2xx) returns the answer; anything else throws the matching delivery error. */
export function classify(o: Pick<PostJsonOptions, 'channel' | 'secrets' | 'reason' | 'retryAfterFromBody'>, a: HttpAnswer): HttpAnswer {
  if (a.status >= 200 && a.status < 300) return a;
  let said: string | undefined;
  try {
    said = o.reason?.(a);
  } catch {
    said = undefined;
  }
  const reason = scrub(`HTTP ${a.status}: ${oneLine(said ?? a.text) || 'no message'}`, o.secrets);
  if (a.status === 429) {
    let fromBody: number | undefined;
    try {
      fromBody = o.retryAfterFromBody?.(a);
    } catch {
      fromBody = undefined;
    }
    const wait = fromBody ?? retryAfterHeaderMs(a.headers['retry-after']);
    return fail(new DeliveryFailedError(o.channel, reason, { status: 429, retryAfterMs: wait === undefined ? undefined : Math.min(wait, MAX_RETRY_AFTER_MS) }));
  }
  if (a.status >= 500) return fail(new DeliveryFailedError(o.channel, reason, { status: a.status }));
  return fail(new DeliveryRejectedError(o.channel, reason, a.status));
}

function fail(err: Error): never {
  throw err;
}

/** Retry-After as seconds (RFC 9110 allows a delay in seconds or an HTTP date), in ms; undefined when absent or unreadable. */
export function retryAfterHeaderMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The body as JSON, or undefined when it is not JSON. */
export function jsonOf(a: HttpAnswer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(a.text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 200);
}

// Duck-typed rather than `instanceof Error`: errors from Node's own modules may come from another realm (jest, vm).
function networkMessage(err: unknown): string {
  const e = err as { message?: unknown; name?: unknown; code?: unknown } | null;
  if (!e || typeof e.message !== 'string') return String(err);
  const timeout = e.name === 'TimeoutError' || (typeof e.code === 'string' && /^UND_ERR_(HEADERS|BODY|CONNECT)_TIMEOUT$/.test(e.code));
  return timeout ? `timeout: ${e.message}` : e.message.replace(/^Error: /, '');
}

/**
 * The parts of a secret URL that must not appear anywhere: the URL itself, its path and query (a
 * webhook URL's path is its credential), its password, and every path segment or query value long
 * enough to be a token. Parts are given raw and percent-decoded.
 */
export function secretsOfUrl(url: string): string[] {
  const out = new Set<string>([url]);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [...out];
  }
  const add = (s: string) => {
    if (s.length < 6) return;
    out.add(s);
    try {
      out.add(decodeURIComponent(s));
    } catch {
      // not percent-encoded
    }
  };
  add(u.pathname + u.search);
  if (u.pathname !== '/') add(u.pathname);
  add(u.search.slice(1));
  if (u.password) add(u.password);
  for (const seg of u.pathname.split('/')) if (seg.length >= 12) add(seg);
  for (const [, v] of u.searchParams) if (v.length >= 12) add(v);
  return [...out];
}

/** `text` with every secret (longest first, raw and percent-encoded) replaced by `[redacted]`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  const all = [...new Set(secrets.flatMap((s) => [s, encodeURIComponent(s)]))].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  for (const s of all) out = out.split(s).join('[redacted]');
  return out;
}
