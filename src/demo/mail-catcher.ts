import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One mail the catcher accepted: where it was saved, its subject and recipients, and its plain-text body. */
export interface CaughtMail {
  /** 1, 2, ... in arrival order. */
  seq: number;
  /** The raw message as received, `<dir>/NNN.eml` (opens in any mail program). */
  file: string;
  subject: string;
  to: string[];
  text: string;
}

/** A running mail catcher. */
export interface MailCatcher {
  /** `smtp://127.0.0.1:PORT`: plain SMTP on loopback, no login needed. */
  url: string;
  /** Where the .eml files go. */
  dir: string;
  /** Stops listening (files stay until the caller removes `dir`). */
  close(): Promise<void>;
}

/** Options; defaults next to each. */
export interface MailCatcherOptions {
  /** An existing folder for the .eml files. */
  dir: string;
  /** Called once per accepted mail, after it was saved. */
  onMail: (mail: CaughtMail) => void;
  /** Called when a mail cannot be read (it is still saved and accepted); default: ignore. */
  onError?: (err: Error) => void;
  /** Default 0: a free port. */
  port?: number;
}

/**
 * An SMTP server on 127.0.0.1 that accepts every mail, keeps it as an .eml file and hands it to
 * `onMail`: the demo's stand-in for a real mail server (smtp-server, by nodemailer's author, does the
 * SMTP; mailparser decodes the MIME).
 */
export async function startMailCatcher(opts: MailCatcherOptions): Promise<MailCatcher> {
  let seq = 0;
  const server = new SMTPServer({
    // Loopback only: no TLS to set up, and any login (or none) is accepted.
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    onAuth: (_auth, _session, cb) => cb(null, { user: 'demo' }),
    logger: false,
    // Ctrl-C must not wait for idle connections (smtp-server waits 30 s by default).
    closeTimeout: 1000,
    banner: 'sendpulse-monitor demo mail catcher',
    onData: (stream, _session, cb) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => cb(err));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const n = ++seq;
        const file = join(opts.dir, `${String(n).padStart(3, '0')}.eml`);
        try {
          writeFileSync(file, raw);
        } catch (err) {
          cb(err as Error);
          return;
        }
        cb();
        simpleParser(raw).then((mail) => {
          const to = [mail.to ?? []].flat().flatMap((a) => a.value.map((v) => v.address ?? ''));
          opts.onMail({ seq: n, file, subject: mail.subject ?? '', to, text: mail.text ?? '' });
        }, (err: Error) => opts.onError?.(err));
      });
    },
  });
  // A client that hangs up mid-session is not the catcher's problem; without a listener it would crash the demo.
  server.on('error', (err) => opts.onError?.(err));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    dir: opts.dir,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The lines of an alert mail worth showing in a terminal: Severity, Status, Value, Threshold, Runway. */
export function keyLines(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => /^(Severity|Status|Value|Threshold|Runway):/.test(l));
}
