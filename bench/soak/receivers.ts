import { createServer, type Server } from 'node:http';
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

/** A real SMTP server (smtp-server) that records each mail's X-SendPulse-Monitor-Notification id and subject severity. */
export async function startSmtpReceiver(): Promise<Receiver> {
  const port = await freePort();
  const deliveries: Delivery[] = [];
  let server: SMTPServer | null = null;
  const r: Receiver = {
    url: `smtp://alerts:soak-smtp-pass@127.0.0.1:${port}`,
    deliveries,
    isUp: () => server !== null,
    up: async () => {
      if (server) return;
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
      await new Promise<void>((res, rej) => { s.once('error', rej); s.listen(port, '127.0.0.1', () => res()); });
      server = s;
    },
    down: async () => {
      const s = server;
      server = null;
      if (!s) return;
      // close() waits for open sessions; a pooled client would keep one open, so end them.
      const closed = new Promise<void>((res) => s.close(() => res()));
      for (const c of (s as unknown as { connections: Set<{ close(): void }> }).connections ?? []) c.close();
      await closed;
    },
  };
  await r.up();
  return r;
}

/** A webhook receiver over HTTP that records the `id` and `severity` of each JSON body and answers 204. */
export async function startWebhookReceiver(): Promise<Receiver> {
  const port = await freePort();
  const deliveries: Delivery[] = [];
  let server: Server | null = null;
  const r: Receiver = {
    url: `http://127.0.0.1:${port}/hook`,
    deliveries,
    isUp: () => server !== null,
    up: async () => {
      if (server) return;
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
      await new Promise<void>((res, rej) => { s.once('error', rej); s.listen(port, '127.0.0.1', () => res()); });
      server = s;
    },
    down: async () => {
      const s = server;
      server = null;
      if (!s) return;
      const closed = new Promise<void>((res) => s.close(() => res()));
      s.closeAllConnections();
      await closed;
    },
  };
  await r.up();
  return r;
}
