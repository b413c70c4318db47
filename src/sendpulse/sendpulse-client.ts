import { Agent, request, errors as undiciErrors, type Dispatcher } from 'undici';
import type { AccountConfig } from '../config/types';
import {
  ApiError, AuthError, HttpError, InvalidClientError, InvalidResponseError, NetworkError, RateLimitedError, SpmError, TimeoutError,
} from '../errors';
import type { ClientMetrics } from '../metrics/client-metrics';
import { describeApiError } from './api-error-messages';
import { decodeJsonBody } from './decode-body';
import type { RequestGate } from './request-gate';
import type { TokenProvider } from './token-store';

/** The SendPulse error code for "more than 10 requests per second". */
const TOO_MANY_PER_SECOND = 2020202020;

/** Options of the client; defaults next to each. */
export interface SendPulseClientOptions {
  /** Default https://api.sendpulse.com */
  baseUrl: string;
  /** Connect, headers and body timeout each, ms; default 10 s. */
  timeoutMs: number;
  tokens: TokenProvider;
  gate: RequestGate;
  metrics?: ClientMetrics;
  /** Default: a keep-alive Agent with the timeouts above. */
  dispatcher?: Dispatcher;
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Talks to the SendPulse REST API for any number of accounts: authentication (API key or a shared
 * OAuth token), the budget gate before every request, one renewal-and-retry on a 401, and typed errors.
 */
export class SendPulseClient {
  private readonly baseUrl: string;
  /** `host:port` of the API, named in network errors (never the path or query: they may carry secrets). */
  private readonly where: string;
  private readonly dispatcher: Dispatcher;

  constructor(private readonly opts: SendPulseClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.where = hostAndPort(this.baseUrl);
    this.dispatcher = opts.dispatcher ?? new Agent({
      connect: { timeout: opts.timeoutMs },
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      keepAliveTimeout: 30_000,
      connections: 64,
    });
  }

  /** GETs `path` for the account and returns the decoded JSON body; throws an SpmError subclass. */
  async get(account: AccountConfig, endpoint: string, path: string): Promise<unknown> {
    let token = await this.bearer(account);
    let res = await this.send(account, endpoint, 'GET', path, token);
    if (res.status === 401 && account.auth.kind === 'oauth') {
      // The cached token was rejected (revoked, or the clock moved): drop it, renew once, retry once.
      await this.opts.tokens.invalidate(account.name, token);
      token = await this.bearer(account);
      res = await this.send(account, endpoint, 'GET', path, token);
    }
    return this.interpret(account, endpoint, res);
  }

  /** Closes keep-alive connections. */
  async close(): Promise<void> {
    if (!this.opts.dispatcher) await this.dispatcher.close();
  }

  private async bearer(account: AccountConfig): Promise<string> {
    const auth = account.auth;
    if (auth.kind === 'apiKey') return auth.apiKey.reveal();
    return this.opts.tokens.get(account.name, async () => {
      const res = await this.send(account, 'oauth_token', 'POST', '/oauth/access_token', undefined, JSON.stringify({
        grant_type: 'client_credentials',
        client_id: auth.clientId,
        client_secret: auth.clientSecret.reveal(),
      }));
      const body = await this.interpret(account, 'oauth_token', res);
      const b = body as { access_token?: unknown; expires_in?: unknown };
      if (!b || typeof b !== 'object' || typeof b.access_token !== 'string' || b.access_token === '') {
        throw new InvalidResponseError('oauth_token', 'access_token is missing', res.status);
      }
      const expires = Number(b.expires_in ?? 3600);
      if (!Number.isFinite(expires) || expires <= 0) throw new InvalidResponseError('oauth_token', 'expires_in is not a positive number', res.status);
      return { accessToken: b.access_token, expiresInSec: expires };
    });
  }

  private async send(account: AccountConfig, endpoint: string, method: 'GET' | 'POST', path: string, token?: string, body?: string): Promise<RawResponse> {
    await this.opts.gate.take(account.name);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'sendpulse-monitor' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body) headers['content-type'] = 'application/json';
    const started = performance.now();
    let code = 'network';
    try {
      const res = await request(this.baseUrl + path, { method, headers, body, dispatcher: this.dispatcher });
      code = String(res.statusCode);
      const text = await res.body.text();
      return { status: res.statusCode, headers: res.headers, text };
    } catch (err) {
      const mapped = mapTransportError(endpoint, err, this.where);
      code = mapped instanceof TimeoutError ? 'timeout' : 'network';
      throw mapped;
    } finally {
      this.opts.metrics?.requests.inc({ account: account.name, endpoint, code });
      this.opts.metrics?.duration.observe({ endpoint }, (performance.now() - started) / 1000);
    }
  }

  private async interpret(account: AccountConfig, endpoint: string, res: RawResponse): Promise<unknown> {
    const contentType = header(res.headers, 'content-type');
    const json = tryJson(res.text);
    const apiCode = json && typeof json === 'object' && !Array.isArray(json) ? Number((json as { error_code?: unknown }).error_code) : NaN;
    if (res.status === 429 || apiCode === TOO_MANY_PER_SECOND) {
      const retryAfterMs = parseRetryAfter(header(res.headers, 'retry-after'));
      const pauseMs = await this.opts.gate.penalize(account.name, retryAfterMs);
      const what = apiCode === TOO_MANY_PER_SECOND ? describeApiError(apiCode) : 'Too many requests (quota exceeded)';
      throw new RateLimitedError(endpoint, `${what}; pausing this account for ${Math.ceil(pauseMs / 1000)} s`, res.status, retryAfterMs);
    }
    if (endpoint === 'oauth_token' && (res.status === 400 || res.status === 401)) {
      const err = json && typeof json === 'object' ? (json as { error?: unknown }).error : undefined;
      if (err === 'invalid_client' || res.status === 401) throw new InvalidClientError();
      throw new HttpError(endpoint, res.status, `token request refused (${typeof err === 'string' ? err : 'bad request'})`);
    }
    if (res.status === 401 || res.status === 403) {
      throw new AuthError(endpoint, account.auth.kind === 'apiKey' ? 'the API key was rejected' : 'the token was rejected after renewal', res.status);
    }
    if (res.status >= 500) throw new HttpError(endpoint, res.status, contentType?.includes('html') ? 'server error (HTML page)' : 'server error');
    if (res.status < 200 || res.status >= 300) {
      if (Number.isFinite(apiCode)) throw new ApiError(endpoint, res.status, apiCode, describeApiError(apiCode, apiMessage(json)));
      throw new HttpError(endpoint, res.status, 'unexpected status');
    }
    const decoded = decodeJsonBody(endpoint, res.status, contentType, res.text);
    await this.opts.gate.succeeded(account.name);
    // SendPulse answers some failures with 200 and an error body.
    if (decoded && typeof decoded === 'object' && !Array.isArray(decoded)) {
      const o = decoded as { is_error?: unknown; error_code?: unknown };
      if (o.is_error === true || (o.error_code !== undefined && Object.keys(o).length <= 3 && 'message' in o)) {
        const c = Number(o.error_code);
        throw new ApiError(endpoint, res.status, Number.isFinite(c) ? c : 0, describeApiError(Number.isFinite(c) ? c : 0, apiMessage(o)));
      }
    }
    return decoded;
  }
}

function apiMessage(json: unknown): string | undefined {
  const m = json && typeof json === 'object' ? (json as { message?: unknown }).message : undefined;
  return typeof m === 'string' ? m : undefined;
}

function header(h: RawResponse['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Retry-After as ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(v: string | undefined, now = Date.now()): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - now) : undefined;
}

/** `host:port` of a URL, the port filled from the scheme (`api.sendpulse.com:443`). */
export function hostAndPort(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return 'the API';
  }
}

function mapTransportError(endpoint: string, err: unknown, where: string): SpmError {
  if (err instanceof SpmError) return err;
  const e = err as { code?: string; name?: string; message?: string };
  if (err instanceof undiciErrors.ConnectTimeoutError || e.code === 'UND_ERR_CONNECT_TIMEOUT') return new TimeoutError(endpoint, `connecting to ${where}`);
  if (err instanceof undiciErrors.HeadersTimeoutError || e.code === 'UND_ERR_HEADERS_TIMEOUT') return new TimeoutError(endpoint, `waiting for response headers from ${where}`);
  if (err instanceof undiciErrors.BodyTimeoutError || e.code === 'UND_ERR_BODY_TIMEOUT') return new TimeoutError(endpoint, `reading the response body from ${where}`);
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return new TimeoutError(endpoint, `request to ${where} aborted`);
  // The host and port say where; the code says what. undici's messages are left out: some echo the
  // request, and the path or query could one day carry a secret.
  const why = e.code === 'UND_ERR_SOCKET' ? 'closed before an answer' : e.code ?? (e.name && e.name !== 'Error' ? e.name : 'request failed');
  const unreachable = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'].includes(e.code ?? '');
  return new NetworkError(endpoint, `${unreachable ? 'cannot reach' : 'connection to'} ${where}${unreachable ? '' : ' failed'} (${why})`, err);
}
