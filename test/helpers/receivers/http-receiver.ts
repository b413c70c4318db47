import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { freePort } from '../free-port';

/** A request a test receiver got. */
export interface ReceivedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  text: string;
  /** Date.now() when it arrived. */
  at: number;
}

/** An answer: status, headers, and a body (objects are sent as JSON). */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string | object;
}

/** A receiver on a free loopback port that answers with a service's contract (`handle`) unless a test scripted the next answers. */
export interface HttpReceiver {
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  /** The next `times` requests get `answer` (a function of the request, or fixed) instead of the contract's. */
  script(times: number, answer: Answer | ((req: ReceivedRequest) => Answer)): void;
  close(): Promise<void>;
}

/** Starts a receiver whose every request is recorded and answered by `handle`. */
export async function startHttpReceiver(handle: (req: ReceivedRequest) => Answer): Promise<HttpReceiver> {
  const port = await freePort();
  const requests: ReceivedRequest[] = [];
  const scripted: ((req: ReceivedRequest) => Answer)[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { text += c; });
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://receiver');
      const r: ReceivedRequest = { method: req.method ?? '', path: u.pathname, query: u.searchParams, headers: req.headers, text, at: Date.now() };
      requests.push(r);
      const a = (scripted.shift() ?? handle)(r);
      const body = a.body === undefined ? '' : typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
      const type = typeof a.body === 'object' ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8';
      res.writeHead(a.status, { 'content-type': type, ...a.headers }).end(a.status === 204 ? undefined : body);
    });
  });
  await new Promise<void>((res) => server.listen(port, '127.0.0.1', () => res()));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    script(times, answer) {
      for (let i = 0; i < times; i++) scripted.push(typeof answer === 'function' ? answer : () => answer);
    },
    close: async () => {
      server.closeAllConnections(); // undici keeps connections alive
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}

/** The body as JSON, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A plain object, or undefined. */
export function objectOf(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
