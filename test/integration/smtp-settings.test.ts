import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../helpers/free-port';
import { spawnCli } from '../helpers/monitor-env';

/** A real SMTP server with a self-signed certificate: STARTTLS (secure false) or TLS at once (secure true). */
async function startServer(secure: boolean, key: Buffer, cert: Buffer) {
  const port = await freePort();
  const mails: { secure: boolean }[] = [];
  const server = new SMTPServer({
    secure, key, cert, authOptional: true, logger: false, closeTimeout: 500,
    onAuth: (_a, _s, cb) => cb(null, { user: 'alerts' }),
    onData: (stream, session, cb) => {
      stream.resume();
      stream.on('end', () => { mails.push({ secure: session.secure }); cb(); });
    },
  });
  // Clients that give up mid-handshake are what these tests do on purpose.
  server.on('error', () => undefined);
  await new Promise<void>((res) => server.listen(port, '127.0.0.1', () => res()));
  return { port, mails, close: () => new Promise<void>((res) => server.close(() => res())) };
}

describe('SMTP settings explained (issue 10, case 12)', () => {
  let dir: string;
  let key: Buffer;
  let cert: Buffer;
  let starttls: Awaited<ReturnType<typeof startServer>>;
  let implicit: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spm-smtp-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'pipe' });
    key = readFileSync(join(dir, 'key.pem'));
    cert = readFileSync(join(dir, 'cert.pem'));
    starttls = await startServer(false, key, cert);
    implicit = await startServer(true, key, cert);
  });
  afterAll(async () => {
    await starttls.close();
    await implicit.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let seq = 0;
  /** A config whose SMTP URL comes from the environment (where a password with # or @ usually sits). */
  const configFile = () => {
    const file = join(dir, `config-${++seq}.yaml`);
    writeFileSync(file, 'accounts:\n  - { name: main, apiKey: k }\nalerts:\n  email: { from: monitor@example.com, to: [ops@example.com] }\n');
    return file;
  };
  const testAlert = async (smtpUrl: string) => {
    const p = spawnCli(['test-alert', '--config', configFile()], { SMTP_URL: smtpUrl });
    return { code: await p.exited, out: p.output() };
  };

  it('validate recognises a password that needs percent-encoding, says how to fix it, and never quotes it', async () => {
    const p = spawnCli(['validate', '--config', configFile()], { SMTP_URL: 'smtp://alerts:pa@ss#w0rdy@smtp.example.com:587' });
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('SMTP_URL (for alerts.email.smtpUrl): has a user name or password with a character that must be '
      + 'percent-encoded in a URL (# / or ?), so the URL names a wrong host: write # as %23, / as %2F, ? as %3F');
    expect(p.output()).not.toMatch(/w0rdy|pa@ss|ss#/);
    const encoded = spawnCli(['validate', '--config', configFile()], { SMTP_URL: `smtp://alerts:${encodeURIComponent('pa@ss#w0rdy')}@smtp.example.com:587` });
    expect(await encoded.exited).toBe(0);
  });

  it('validate explains a TLS mode that does not fit the port (smtps:// on 587, smtp:// on 465)', async () => {
    for (const [url, says] of [
      ['smtps://smtp.example.com:587', 'smtps:// starts TLS at once (implicit TLS, port 465), but port 587 expects STARTTLS: write smtp:// with port 587'],
      ['smtp://smtp.example.com:465', 'port 465 expects TLS at once (implicit TLS): write smtps:// with port 465'],
    ]) {
      const p = spawnCli(['validate', '--config', configFile()], { SMTP_URL: url });
      expect(await p.exited).toBe(1);
      expect(p.output()).toContain(says);
    }
  });

  it('smtps:// against a STARTTLS server: one line naming the fix, not an OpenSSL dump', async () => {
    const r = await testAlert(`smtps://127.0.0.1:${starttls.port}`);
    expect(r.code).toBe(1);
    expect(r.out).toBe(`email: failed (retryable): TLS with 127.0.0.1:${starttls.port} failed: the server answered in plain text, so this port expects STARTTLS. `
      + 'Write smtp:// for STARTTLS (usually port 587); smtps:// is for TLS at once (implicit TLS, usually port 465).\n');
  });

  it('smtp:// against a server that speaks TLS at once: one line naming the fix', async () => {
    // greetingTimeout is one of nodemailer's URL options (README, "SMTP"): the default waits 30 s.
    const r = await testAlert(`smtp://127.0.0.1:${implicit.port}?greetingTimeout=1000`);
    expect(r.code).toBe(1);
    expect(r.out).toBe(`email: failed (retryable): no SMTP greeting from 127.0.0.1:${implicit.port}: if this port expects TLS at once (implicit TLS, usually port 465), `
      + 'write smtps://; smtp:// is plain text upgraded with STARTTLS (usually port 587).\n');
  });

  it('an untrusted certificate names ?tls.rejectUnauthorized=false, which then works in both TLS modes, as the README says', async () => {
    const untrusted = await testAlert(`smtps://alerts:s3cret@127.0.0.1:${implicit.port}`);
    expect(untrusted.code).toBe(1);
    expect(untrusted.out).toBe(`email: failed (retryable): the TLS certificate of 127.0.0.1:${implicit.port} is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT): `
      + 'fix the server\'s certificate, or add ?tls.rejectUnauthorized=false to the URL (only on a network you trust: it accepts any certificate).\n');
    const before = implicit.mails.length;
    expect(await testAlert(`smtps://alerts:s3cret@127.0.0.1:${implicit.port}?tls.rejectUnauthorized=false`)).toEqual({ code: 0, out: 'email: delivered\n' });
    expect(implicit.mails.slice(before)).toEqual([{ secure: true }]);
    const viaStarttls = starttls.mails.length;
    expect(await testAlert(`smtp://alerts:s3cret@127.0.0.1:${starttls.port}?requireTLS=true&tls.rejectUnauthorized=false`)).toEqual({ code: 0, out: 'email: delivered\n' });
    expect(starttls.mails.slice(viaStarttls)).toEqual([{ secure: true }]);
  });
});
