import { createServer } from 'node:http';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../../src/state/private-redis';

/** One notification a receiver accepted: the monitor's notification id (`account.rule.service.seq`), the severity it announced, and when it arrived. */
export interface Delivery {
  at: number;
  id: string;
  severity: string;
}

/** A receiver that can be taken down and brought back on the same port. */
export interface Receiver {
  readonly url: string;
  readonly deliveries: Delivery[];
  /** Connections refused while down (the process's port is closed). */
  up(): Promise<void>;
  down(): Promise<void>;
  isUp(): boolean;
}

/** A listening server the receiver can close: `close` resolves once its port is free. */
interface Listening {
  close(): Promise<void>;
}

/**
 * A Receiver on a fixed free port, taken down and brought back by closing and re-creating its server
 * (`listen(port)`), started up before it is returned.
 */
async function switchableReceiver(url: (port: number) => string, listen: (port: number, deliveries: Delivery[]) => Promise<Listening>): Promise<Receiver> {
  const port = await freePort();
  const deliveries: Delivery[] = [];
  let server: Listening | null = null;
  const r: Receiver = {
    url: url(port),
    deliveries,
    isUp: () => server !== null,
    up: async () => {
      if (!server) server = await listen(port, deliveries);
    },
    down: async () => {
      const s = server;
      server = null;
      await s?.close();
    },
  };
  await r.up();
  return r;
}

/** Listens on 127.0.0.1:port, rejecting when the port is taken. */
function listenOn(s: { once(e: 'error', f: (err: Error) => void): unknown; listen(port: number, host: string, cb: () => void): unknown }, port: number): Promise<void> {
  return new Promise<void>((res, rej) => { s.once('error', rej); s.listen(port, '127.0.0.1', () => res()); });
}

/** A real SMTP server (smtp-server) that records each mail's X-SendPulse-Monitor-Notification id and subject severity. */
export function startSmtpReceiver(): Promise<Receiver> {
  return switchableReceiver((port) => `smtp://alerts:soak-smtp-pass@127.0.0.1:${port}`, async (port, deliveries) => {
    const s = new SMTPServer({
      disabledCommands: ['STARTTLS'], authOptional: true, logger: false,
      onAuth: (_a, _s, cb) => cb(null, { user: 'alerts' }),
      onData: (stream, _session, cb) => {
        simpleParser(stream).then((mail) => {
          const id = String(mail.headers.get('x-sendpulse-monitor-notification') ?? '');
          const m = /^\[(FIRING:(warning|critical)|RESOLVED)\]/.exec(mail.subject ?? '');
          deliveries.push({ at: Date.now(), id, severity: m ? (m[2] ?? 'ok') : `? ${mail.subject ?? ''}` });
          cb();
        }, cb);
      },
    });
    await listenOn(s, port);
    return {
      close: async () => {
        // close() waits for open sessions; a pooled client would keep one open, so end them.
        const closed = new Promise<void>((res) => s.close(() => res()));
        for (const c of (s as unknown as { connections: Set<{ close(): void }> }).connections ?? []) c.close();
        await closed;
      },
    };
  });
}

/** A webhook receiver over HTTP that records the `id` and `severity` of each JSON body and answers 204. */
export function startWebhookReceiver(): Promise<Receiver> {
  return switchableReceiver((port) => `http://127.0.0.1:${port}/hook`, async (port, deliveries) => {
    const s = createServer((req, res) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => { text += c; });
      req.on('end', () => {
        try {
          const body = JSON.parse(text) as { id?: string; severity?: string };
          deliveries.push({ at: Date.now(), id: String(body.id), severity: String(body.severity) });
        } catch {
          deliveries.push({ at: Date.now(), id: '', severity: '? unparsable body' });
        }
        res.writeHead(204).end();
      });
    });
    s.keepAliveTimeout = 1000;
    await listenOn(s, port);
    return {
      close: async () => {
        const closed = new Promise<void>((res) => s.close(() => res()));
        s.closeAllConnections();
        await closed;
      },
    };
  });
}
