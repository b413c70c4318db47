import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountEntry, AccountStore } from './account-store';
import { maintenancePage, nginxErrorPage, truncateJson, wrongShape } from './fault-bodies';
import type { FaultTable } from './fault-table';
import { readBody } from './http-util';
import type { RequestLog } from './request-log';
import type { TokenStore } from './token-store';
import type { Fault, Json, SimEndpoint } from './types';

/** What the API handler needs from the running simulator. */
export interface ApiContext {
  store: AccountStore;
  tokens: TokenStore;
  faults: FaultTable;
  log: RequestLog;
  now: () => number;
  /** Resolves after `ms`, or at once when the simulator closes. */
  sleep: (ms: number) => Promise<void>;
}

interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const HTML_TYPE = { 'content-type': 'text/html', server: 'nginx' };
// The texts below are the reference's, and for OAuth those of the league/oauth2-server library
// whose invalid_client answer the reference's shows.
const UNAUTHORIZED: Answer = { status: 401, body: JSON.stringify({ message: 'Unauthorized!', error_code: 401 }) };
const INVALID_CLIENT: Answer = {
  status: 401,
  body: JSON.stringify({ error: 'invalid_client', error_description: 'Client authentication failed', message: 'Client authentication failed' }),
};
const UNSUPPORTED_GRANT = JSON.stringify({
  error: 'unsupported_grant_type',
  error_description: 'The authorization grant type is not supported by the authorization server.',
  hint: 'Check that all required parameters have been provided',
  message: 'The authorization grant type is not supported by the authorization server.',
});
const TOO_MANY = JSON.stringify({ message: 'Too many requests', error_code: 429 });
const PER_SECOND = JSON.stringify({ error_code: 2020202020, message: 'More than 10 requests per second' });

function invalidRequest(param: string): Answer {
  const text = 'The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.';
  return { status: 400, body: JSON.stringify({ error: 'invalid_request', error_description: text, hint: `Check the \`${param}\` parameter`, message: text }) };
}

/** The OAuth form: JSON (as the reference shows) or application/x-www-form-urlencoded. */
function parseParams(text: string, contentType: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(text)) out[k] = v;
    return out;
  }
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) if (typeof x === 'string' || typeof x === 'number') out[k] = String(x);
    }
  } catch {
    // Not JSON: the grant_type check below answers, as the real server does for an empty form.
  }
  return out;
}

function bearer(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

function bodyOf(entry: AccountEntry, endpoint: Exclude<SimEndpoint, 'oauth_token'>): string {
  const cached = entry.bodies[endpoint];
  if (cached !== undefined) return cached;
  const a = entry.account;
  const value = endpoint === 'user_info' ? a.userInfo : endpoint === 'team' ? a.team : a.balanceDetail;
  return (entry.bodies[endpoint] = JSON.stringify(value));
}

function preFaultAnswer(f: Fault, endpoint: SimEndpoint): Answer | 'reset' {
  const custom = f.body === undefined ? undefined : typeof f.body === 'string' ? f.body : JSON.stringify(f.body);
  switch (f.kind) {
    case 'http_5xx': {
      const status = f.status ?? 502;
      return { status, body: custom ?? nginxErrorPage(status), headers: custom !== undefined && typeof f.body !== 'string' ? JSON_TYPE : HTML_TYPE };
    }
    case 'html':
      return { status: 200, body: custom ?? maintenancePage(), headers: HTML_TYPE };
    case 'status_429':
      return { status: 429, body: TOO_MANY, headers: f.retryAfterSeconds === undefined ? {} : { 'retry-after': String(f.retryAfterSeconds) } };
    case 'unauthorized':
      return endpoint === 'oauth_token' ? INVALID_CLIENT : UNAUTHORIZED;
    default:
      return 'reset';
  }
}

/** The quota check for an authenticated request; undefined when it may go on. */
function quotaAnswer(entry: AccountEntry, now: number): Answer | undefined {
  const q = entry.account.quota;
  const v = entry.quota.take(q, now);
  if (v.ok) return undefined;
  const headers = q.retryAfterHeader ? { 'retry-after': String(v.retryAfterSeconds) } : undefined;
  return { status: 429, body: v.window === 'second' ? PER_SECOND : TOO_MANY, headers };
}

/**
 * Answers one request to a SendPulse endpoint the way the reference describes: faults first (as a
 * proxy in front would), then credentials, then the quota (only authenticated requests use it,
 * token requests included), then the stored body, which a body fault may spoil. Every request
 * ends in the request log.
 */
export async function handleApi(ctx: ApiContext, endpoint: SimEndpoint, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const time = ctx.now();
  let entry: AccountEntry | undefined;
  let tokenId: string | undefined;
  let params: Record<string, string> | undefined;
  let tokenExpired = false;
  const wantMethod = endpoint === 'oauth_token' ? 'POST' : 'GET';
  if (endpoint === 'oauth_token') {
    params = parseParams(await readBody(req, 64 * 1024), req.headers['content-type']);
    entry = params.client_id === undefined ? undefined : ctx.store.byClientId(params.client_id);
  } else {
    const key = bearer(req.headers.authorization);
    entry = key === undefined ? undefined : ctx.store.byApiKey(key);
    if (!entry && key !== undefined) {
      const t = ctx.tokens.lookup(key, time);
      entry = t && ctx.store.get(t.accountId);
      tokenId = t?.tokenId;
      tokenExpired = t?.expired ?? false;
    }
  }
  const account = entry?.account.id ?? null;
  const record = (status: number) => ctx.log.add({ time, account, endpoint, status, ...(tokenId === undefined ? {} : { tokenId }) });

  const faults = ctx.faults.match(account, endpoint);
  if (faults.slow) ctx.faults.hit(faults.slow);
  const delay = faults.slow?.delayMs ?? 5000;
  if (faults.slow && faults.slow.stage !== 'body') await ctx.sleep(delay);
  if (res.destroyed || req.socket.destroyed) return record(0);

  let answer: Answer | 'reset';
  if (faults.pre) {
    ctx.faults.hit(faults.pre);
    answer = preFaultAnswer(faults.pre, endpoint);
  } else if (req.method !== wantMethod) {
    answer = { status: 405, body: JSON.stringify({ message: 'Method Not Allowed', error_code: 405 }), headers: { allow: wantMethod } };
  } else if (endpoint === 'oauth_token') {
    const p = params ?? {};
    if (p.grant_type !== 'client_credentials') answer = { status: 400, body: UNSUPPORTED_GRANT };
    else if (p.client_id === undefined) answer = invalidRequest('client_id');
    else if (!entry || entry.account.clientSecret === undefined || p.client_secret !== entry.account.clientSecret) answer = INVALID_CLIENT;
    else {
      answer = quotaAnswer(entry, time) ?? (() => {
        const a = (entry as AccountEntry).account;
        const issued = ctx.tokens.issue(a.id, a.tokenTtlSeconds, time);
        tokenId = issued.tokenId;
        return { status: 200, body: JSON.stringify({ access_token: issued.token, token_type: 'Bearer', expires_in: a.tokenTtlSeconds }) };
      })();
    }
  } else if (!entry || tokenExpired) {
    answer = UNAUTHORIZED;
  } else {
    answer = quotaAnswer(entry, time) ?? { status: 200, body: bodyOf(entry, endpoint) };
  }

  if (answer === 'reset') {
    req.socket.destroy();
    return record(0);
  }
  if (answer.status === 200 && faults.post && !faults.pre) {
    ctx.faults.hit(faults.post);
    const f = faults.post;
    if (f.kind === 'truncated') answer = { ...answer, body: truncateJson(answer.body) };
    else {
      const shaped: Json = f.body !== undefined ? f.body : wrongShape(endpoint, JSON.parse(answer.body) as Json, f.shape);
      answer = { ...answer, body: JSON.stringify(shaped) };
    }
  }
  record(answer.status);
  const buf = Buffer.from(answer.body);
  res.writeHead(answer.status, { ...JSON_TYPE, 'content-length': String(buf.length), ...answer.headers });
  if (faults.slow && faults.slow.stage === 'body') {
    // Headers and half the body now, the rest later: what a client's body timeout is for.
    const half = Math.floor(buf.length / 2);
    res.write(buf.subarray(0, half));
    await ctx.sleep(delay);
    if (res.destroyed || req.socket.destroyed) return;
    res.end(buf.subarray(half));
  } else res.end(buf);
}
