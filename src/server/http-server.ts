import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { ServerAuth } from '../config/types';
import { ListenError } from '../errors';
import { freshChunk, type ExpositionChunk } from '../metrics/cached-family';
import { authChallenge, checkAuth } from './check-auth';

/** What the HTTP server serves; the worker provides it. */
export interface ServerDeps {
  registry: Registry;
  /**
   * Runs before /metrics is rendered: fills scrape-time gauges, and may return chunks of exposition
   * that follow the registry's (the per-account families, cached as text: too large for prom-client).
   */
  beforeScrape: () => Promise<ExpositionChunk[] | void>;
  /** Null when ready, else the reason (shown on /readyz). */
  notReadyReason: () => Promise<string | null>;
  /** A warning /readyz adds to its 200 answer (e.g. Redis may evict keys, allowed by the config); default none. */
  readyWarning?: () => string | null;
  /**
   * The status pages (`/`, `/accounts/NAME`, `/alerts`, `/api/v1/...`, `/static/...`; src/status/):
   * the answer for a GET of a path, or null when the path is not theirs (404). Behind `auth` like /metrics.
   */
  pages: (path: string, params: URLSearchParams) => Promise<{ status: number; headers: Record<string, string>; body: string } | null>;
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

// What a failed listen means for the person who has to fix it (Node's codes, from libuv).
const LISTEN_PROBLEMS: Record<string, string> = {
  EADDRINUSE: 'the port is already in use (EADDRINUSE): stop the other process or set server.port (PORT) to a free port',
  EACCES: 'permission denied (EACCES): ports below 1024 need privileges; set server.port (PORT) to 1024 or above',
  EADDRNOTAVAIL: 'the address is not on this machine (EADDRNOTAVAIL): set server.host to one of its addresses, or 0.0.0.0',
  ENOTFOUND: 'the host name does not resolve (ENOTFOUND): check server.host',
};

/**
 * Writes a /metrics answer chunk by chunk (no 20 MB string joined per scrape), gzip-compressed when
 * the scraper accepts it, as client_golang does: cached families bring their own gzip member, and
 * gzip members one after the other are one valid gzip stream (RFC 1952, 2.2).
 */
async function writeExposition(req: IncomingMessage, res: ServerResponse, chunks: readonly ExpositionChunk[], contentType: string): Promise<void> {
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  res.writeHead(200, { 'content-type': contentType, vary: 'Accept-Encoding', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const write = async (data: string | Buffer): Promise<void> => {
    if (!res.write(data)) {
      await new Promise<void>((resolve) => {
        res.once('drain', resolve);
        res.once('close', resolve);
      });
    }
  };
  for (const c of chunks) {
    if (res.destroyed) return; // the scraper hung up
    if (gzip) await write(await c.gzip());
    else for (const piece of c.pieces()) await write(piece);
  }
  res.end();
}

/** Starts the metrics and health server; rejects with a ListenError (naming host:port and the fix) when it cannot listen. */
export async function startHttpServer(opts: ServerOptions, deps: ServerDeps): Promise<RunningServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
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
      const warning = reason ? null : deps.readyWarning?.();
      res.writeHead(reason ? 503 : 200, { 'content-type': 'text/plain' })
        .end(reason ? `not ready: ${reason}\n` : warning ? `ready; warning: ${warning}\n` : 'ready\n');
      return;
    }
    if (opts.auth && !checkAuth(opts.auth, req.headers.authorization)) {
      deps.log.debug({ path, remote: req.socket.remoteAddress, sent: req.headers.authorization ? 'wrong credentials' : 'no credentials' }, 'http request refused (401)');
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': authChallenge(opts.auth) }).end('unauthorized\n');
      return;
    }
    if (path === '/metrics') {
      let extra: ExpositionChunk[] | void = undefined;
      try {
        extra = await deps.beforeScrape();
      } catch (err) {
        // Redis down: serve what the process has (its own counters), and say so in the log.
        deps.log.warn({ err: (err as Error).message }, 'account state unavailable for this scrape');
      }
      await writeExposition(req, res, [freshChunk(await deps.registry.metrics()), ...(extra ?? [])], deps.registry.contentType);
      return;
    }
    const page = await deps.pages(path, new URLSearchParams(query));
    if (page) {
      res.writeHead(page.status, page.headers).end(page.body);
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
    server.once('error', (err: NodeJS.ErrnoException) => {
      const address = `${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`;
      reject(new ListenError(address, LISTEN_PROBLEMS[err.code ?? ''] ?? err.message, err));
    });
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
