import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountStore, defaultAccounts } from './account-store';
import { handleApi } from './api-handler';
import { handleControl } from './control-handler';
import { FaultTable } from './fault-table';
import { sendJson } from './http-util';
import { RequestLog } from './request-log';
import { TokenStore } from './token-store';
import { pathPatch } from './deep-merge';
import type { SimAccountPatch, SimEndpoint, Simulator, SimulatorOptions } from './types';

/** The reference's paths, mapped to the endpoint names used in the request log and the metrics. */
const ROUTES: Record<string, SimEndpoint> = {
  '/oauth/access_token': 'oauth_token',
  '/user/info': 'user_info',
  '/user/invited-users-list': 'team',
  '/user/balance/detail': 'balance',
};

/**
 * Starts a SendPulse simulator on a real HTTP server and resolves once it listens. It serves the
 * reference's endpoints, shapes and errors for several accounts, with quotas, expiring tokens,
 * injectable faults and a request log, all driven through the returned object or `/_control/`.
 */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const now = opts.now ?? Date.now;
  const store = new AccountStore();
  const tokens = new TokenStore();
  const faults = new FaultTable();
  const log = new RequestLog(opts.requestLogSize);
  const sleepers = new Set<() => void>();
  let closed = false;

  const sleep = (ms: number) => new Promise<void>((resolve) => {
    if (closed) return resolve();
    const wake = () => {
      clearTimeout(timer);
      sleepers.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    sleepers.add(wake);
  });
  const ctx = { store, tokens, faults, log, now, sleep };

  for (const def of opts.accounts ?? defaultAccounts(now())) store.add(def, now());

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const endpoint = ROUTES[url.pathname];
    const done = endpoint !== undefined
      ? handleApi(ctx, endpoint, req, res)
      : url.pathname === '/_control' || url.pathname.startsWith('/_control/')
        ? handleControl(sim, req, res, url)
        : Promise.resolve(sendJson(res, 404, { message: 'Not Found', error_code: 404 }));
    done.catch(() => {
      // A body that was too large or a client that went away: nothing useful can be answered.
      if (!res.headersSent) sendJson(res, 400, { message: 'Bad Request', error_code: 400 });
      else res.destroy();
    });
  });
  // Thousands of polling clients keep connections alive; the default backlog and timeouts fit.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  const sim: Simulator = {
    url: `http://${urlHost}:${port}`,
    port,
    close: () => new Promise<void>((resolve) => {
      closed = true;
      for (const wake of [...sleepers]) wake();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
    // Copies go out so that a caller changing them cannot bypass the body cache.
    addAccount: (def) => structuredClone(store.add(def, now())),
    updateAccount: (id, patch) => structuredClone(store.update(id, patch)),
    setField: (id, path, value) => {
      // Unset first, so that an object value replaces the old one instead of being merged into it.
      store.update(id, pathPatch(path, undefined) as SimAccountPatch);
      return structuredClone(store.update(id, pathPatch(path, value) as SimAccountPatch));
    },
    removeAccount: (id) => {
      tokens.drop(id);
      return store.remove(id);
    },
    account: (id) => {
      const a = store.get(id)?.account;
      return a && structuredClone(a);
    },
    accountIds: () => store.ids(),
    setFault: (spec) => faults.add(spec),
    clearFaults: (id) => void faults.clear(id),
    faults: () => faults.list(),
    requests: (filter) => log.list(filter),
    requestCounts: (accountId) => log.counts(accountId),
    clearRequests: () => log.clear(),
    expireTokens: (accountId) => tokens.expire(now(), accountId),
    tokenCount: (accountId) => tokens.count(accountId, now()),
  };
  return sim;
}
