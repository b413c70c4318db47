import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { ServerAuth } from '../config/types';
import { authChallenge, checkAuth } from './check-auth';

/** What the HTTP server serves; the worker provides it. */
export interface ServerDeps {
  registry: Registry;
  /**
   * Runs before /metrics is rendered: fills scrape-time gauges, and may return exposition text that is
   * appended to the registry's (families too large to go through prom-client quickly: the accounts').
   */
  beforeScrape: () => Promise<string | void>;
  /** Null when ready, else the reason (shown on /readyz). */
  notReadyReason: () => Promise<string | null>;
  /** Names of the watched accounts, for the index page. */
  accounts: () => readonly string[];
  version: string;
  log: Logger;
}

/** Options; defaults next to each. */
export interface ServerOptions {
  /** Default 0.0.0.0 */
  host: string;
  /** Default 9464 (0 picks a free port) */
  port: number;
  /** Default none: every page is open. When set, all but the probes /healthz and /readyz need it. */
  auth?: ServerAuth;
}

/** A running server and the URL it listens on. */
export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Starts the metrics and health server. */
export async function startHttpServer(opts: ServerOptions, deps: ServerDeps): Promise<RunningServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      // Open even with auth on: kubelet probes carry no credentials, and it tells nothing about the accounts.
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (path === '/readyz') {
      // Open like /healthz: a kubelet readiness probe cannot send credentials from a Secret, and the
      // answer names no account and no value.
      const reason = await deps.notReadyReason().catch((err: Error) => `check failed: ${err.message}`);
      res.writeHead(reason ? 503 : 200, { 'content-type': 'text/plain' }).end(reason ? `not ready: ${reason}\n` : 'ready\n');
      return;
    }
    if (opts.auth && !checkAuth(opts.auth, req.headers.authorization)) {
      deps.log.debug({ path, remote: req.socket.remoteAddress, sent: req.headers.authorization ? 'wrong credentials' : 'no credentials' }, 'http request refused (401)');
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': authChallenge(opts.auth) }).end('unauthorized\n');
      return;
    }
    if (path === '/metrics') {
      let extra: string | void = undefined;
      try {
        extra = await deps.beforeScrape();
      } catch (err) {
        // Redis down: serve what the process has (its own counters), and say so in the log.
        deps.log.warn({ err: (err as Error).message }, 'account state unavailable for this scrape');
      }
      const body = await deps.registry.metrics();
      res.writeHead(200, { 'content-type': deps.registry.contentType }).end(extra ? `${body}\n${extra}` : body);
      return;
    }
    if (path === '/') {
      const names = deps.accounts();
      const list = names.slice(0, 200).map((n) => `<li>${escapeHtml(n)}</li>`).join('');
      const more = names.length > 200 ? `<li>... and ${names.length - 200} more</li>` : '';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
        `<!doctype html><html><head><title>sendpulse-monitor</title></head><body>` +
        `<h1>sendpulse-monitor ${escapeHtml(deps.version)}</h1>` +
        `<p><a href="/metrics">/metrics</a> Prometheus metrics &middot; <a href="/healthz">/healthz</a> liveness &middot; <a href="/readyz">/readyz</a> readiness</p>` +
        `<h2>Accounts watched (${names.length})</h2><ul>${list}${more}</ul></body></html>`,
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      deps.log.error({ err: err.message }, 'http handler failed');
      if (!res.headersSent) res.writeHead(500).end('internal error\n');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shownHost = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
  return {
    server,
    url: `http://${shownHost}:${addr.port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
