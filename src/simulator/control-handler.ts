import type { IncomingMessage, ServerResponse } from 'node:http';
import { isPlainObject } from './deep-merge';
import { readBody, send, sendJson } from './http-util';
import { SIM_ENDPOINTS, type RequestFilter, type SimAccount, type SimEndpoint, type Simulator } from './types';

/** An account as the control API shows it: credentials are never echoed back. */
export function publicAccount(a: SimAccount): Record<string, unknown> {
  return {
    ...a,
    apiKey: a.apiKey === undefined ? undefined : '[redacted]',
    clientSecret: a.clientSecret === undefined ? undefined : '[redacted]',
  };
}

class BadRequest extends Error {}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequest('body is not JSON');
  }
}

/** `{ "unset": ["balanceDetail.push"] }` as the patch that removes those keys. */
function unsetPatch(paths: unknown): Record<string, unknown> {
  if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string' && p !== '')) {
    throw new BadRequest('unset: must be a list of dotted paths');
  }
  const patch: Record<string, unknown> = {};
  for (const path of paths as string[]) {
    const parts = path.split('.');
    let node = patch;
    for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1] as string] = undefined;
  }
  return patch;
}

function requestFilter(q: URLSearchParams): RequestFilter {
  const f: RequestFilter = {};
  const account = q.get('account');
  if (account !== null) f.account = account === 'null' ? null : account;
  const endpoint = q.get('endpoint');
  if (endpoint !== null) {
    if (!SIM_ENDPOINTS.includes(endpoint as SimEndpoint)) throw new BadRequest(`endpoint: must be one of ${SIM_ENDPOINTS.join(', ')}`);
    f.endpoint = endpoint as SimEndpoint;
  }
  for (const key of ['status', 'since', 'until'] as const) {
    const v = q.get(key);
    if (v === null) continue;
    if (!/^\d+$/.test(v)) throw new BadRequest(`${key}: must be a whole number`);
    f[key] = Number(v);
  }
  return f;
}

/**
 * The JSON control API under `/_control/` (documented in src/simulator/README.md): the same
 * operations as the programmatic API, for a simulator running in another process. Its requests
 * are not logged and use no quota.
 */
export async function handleControl(sim: Simulator, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const parts = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
  const [resource, id, sub] = parts;
  const m = req.method ?? 'GET';
  try {
    if (resource === undefined && m === 'GET') {
      return sendJson(res, 200, { url: sim.url, accounts: sim.accountIds().length, resources: ['accounts', 'faults', 'requests', 'tokens'] });
    }
    if (resource === 'accounts') {
      if (id === undefined && m === 'GET') return sendJson(res, 200, { accounts: sim.accountIds() });
      if (id === undefined && m === 'POST') {
        const body = await jsonBody(req);
        const defs = isPlainObject(body) && Array.isArray(body.accounts) ? body.accounts : [body];
        const added = defs.map((d) => publicAccount(sim.addAccount(d)));
        return sendJson(res, 201, isPlainObject(body) && Array.isArray(body.accounts) ? { accounts: added } : added[0]);
      }
      if (id !== undefined && sub === undefined) {
        const found = sim.account(id);
        if (!found) return sendJson(res, 404, { error: `no account "${id}"` });
        if (m === 'GET') return sendJson(res, 200, publicAccount(found));
        if (m === 'DELETE') {
          sim.removeAccount(id);
          return send(res, 204, '');
        }
        if (m === 'PATCH') {
          const body = await jsonBody(req);
          if (!isPlainObject(body)) throw new BadRequest('body: must be an object');
          const { unset, set, ...patch } = body;
          let a = sim.updateAccount(id, patch);
          if (unset !== undefined) a = sim.updateAccount(id, unsetPatch(unset));
          if (set !== undefined) {
            if (!isPlainObject(set) || Object.keys(set).some((k) => k === '')) throw new BadRequest('set: must map dotted paths to JSON values');
            for (const [path, value] of Object.entries(set)) a = sim.setField(id, path, value as never);
          }
          return sendJson(res, 200, publicAccount(a));
        }
      }
    }
    if (resource === 'faults' && sub === undefined) {
      if (id === undefined && m === 'GET') return sendJson(res, 200, { faults: sim.faults() });
      if (id === undefined && m === 'POST') return sendJson(res, 201, sim.setFault((await jsonBody(req)) as never));
      if (m === 'DELETE') {
        if (id !== undefined && !sim.faults().some((f) => f.id === id)) return sendJson(res, 404, { error: `no fault "${id}"` });
        sim.clearFaults(id);
        return send(res, 204, '');
      }
    }
    if (resource === 'requests' && sub === undefined) {
      if (id === undefined && m === 'GET') return sendJson(res, 200, { requests: sim.requests(requestFilter(url.searchParams)) });
      if (id === undefined && m === 'DELETE') {
        sim.clearRequests();
        return send(res, 204, '');
      }
      if (id === 'counts' && m === 'GET') {
        const account = url.searchParams.get('account');
        return sendJson(res, 200, sim.requestCounts(account === null ? undefined : account === 'null' ? null : account));
      }
    }
    if (resource === 'tokens' && id === undefined) {
      const account = url.searchParams.get('account') ?? undefined;
      if (account !== undefined && !sim.account(account)) return sendJson(res, 404, { error: `no account "${account}"` });
      if (m === 'GET') {
        if (account === undefined) throw new BadRequest('account: required');
        return sendJson(res, 200, { account, live: sim.tokenCount(account) });
      }
      if (m === 'DELETE') return sendJson(res, 200, { expired: sim.expireTokens(account) });
    }
    return sendJson(res, 404, { error: `no control route ${m} ${url.pathname}` });
  } catch (err) {
    // Validation problems from the store and the fault table are plain Errors with readable text.
    return sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
  }
}
