import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './free-port';

/** A real SMTP server in the test process that keeps every accepted mail, parsed; it can go down and come back. */
export class TestSmtp {
  readonly mails: ParsedMail[] = [];
  /** When set, DATA is held (no answer) and this is called: the sender is stuck mid-send. */
  onHold: (() => void) | null = null;
  private server: SMTPServer | null = null;
  private constructor(readonly port: number) {}

  static async start(): Promise<TestSmtp> {
    const s = new TestSmtp(await freePort());
    await s.up();
    return s;
  }

  get url(): string {
    return `smtp://alerts:s3cr3t-smtp-pass@127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'], authOptional: true, logger: false,
      onAuth: (_auth, _session, cb) => cb(null, { user: 'alerts' }),
      onData: (stream, _session, cb) => {
        const hold = this.onHold;
        simpleParser(stream).then((mail) => {
          if (hold) { this.onHold = null; hold(); return; } // never answered: the client dies waiting
          this.mails.push(mail);
          cb();
        }, cb);
      },
    });
    await new Promise<void>((res, rej) => { server.once('error', rej); server.listen(this.port, '127.0.0.1', () => res()); });
    this.server = server;
  }

  async down(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((res) => s.close(() => res()));
  }

  subjects(): string[] {
    return this.mails.map((m) => m.subject ?? '');
  }
}
