import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port';
import { sampleValue, scrape } from '../helpers/metrics-text';
import { spawnCli, type CliProcess } from '../helpers/monitor-env';
import { waitFor } from '../helpers/wait-for';

/** The addresses the banner prints. */
function banner(out: string) {
  const m = (re: RegExp) => re.exec(out)?.[1];
  return {
    status: m(/status: +(http:\/\/127\.0\.0\.1:\d+)\//),
    redis: m(/redis: +redis:\/\/127\.0\.0\.1:(\d+) \(private/),
    simulator: m(/simulator: +(http:\/\/127\.0\.0\.1:\d+) /),
    smtp: m(/mail: +smtp:\/\/127\.0\.0\.1:(\d+) /),
    mailDir: m(/kept as \.eml in (\S+)\n/),
  };
}

/** Resolves true when something accepts TCP connections on the port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(true));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
  });
}

/**
 * Stops a demo a failed test left running: SIGTERM first (the demo then stops its private
 * redis-server), SIGKILL only if it does not exit within 10 s.
 */
async function stop(p: CliProcess): Promise<void> {
  if (p.proc.exitCode !== null || p.proc.signalCode !== null) return;
  p.proc.kill('SIGTERM');
  const timer = setTimeout(() => p.proc.kill('SIGKILL'), 10_000);
  await p.exited;
  clearTimeout(timer);
}

/** The demo with its own TMPDIR, so what it leaves behind can be seen (its config, mails and Redis dir all go there). */
function spawnDemo(args: string[], tmp: string): CliProcess {
  // LOG_LEVEL empty: the demo's own default (warnings only), as `npm run demo` runs it.
  return spawnCli(['demo', ...args], { REDIS_URL: '', PORT: '', LOG_LEVEL: '', TMPDIR: tmp });
}

describe('npm run demo (issue 10, case 1)', () => {
  let tmp: string;
  beforeEach(() => { tmp = mkdtempSync(join(tmpdir(), 'spm-demo-test-')); });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('prints the alert e-mails as they arrive: shop at once, the scripted balance drop within a minute; Ctrl-C removes everything', async () => {
    const started = Date.now();
    const p = spawnDemo(['--port', '0'], tmp);
    try {
      const b = await waitFor('the banner', () => { const x = banner(p.output()); return x.mailDir && x; }, 20_000);
      expect(p.output()).toMatch(/Accounts \(simulated\):\n {2}demo +OAuth client credentials, balance 9\.36 USD; rules: balance below 5\/2, tariffExpiry below 7d\/1d, credentials, stale, unreadable\./);
      expect(p.output()).toContain('  shop  API key, balance 0.37 USD; its own rules: balance below 1/0.25');
      expect(p.output()).toContain('In 30 s its balance drops to 1.50 USD');

      // shop sits below its own warning level from the first poll.
      await waitFor('the shop mail', () => p.output().includes('Subject: [FIRING:warning] shop: balance 0.37 USD is below 1 USD'), 20_000);
      expect(p.output()).toMatch(/\nmail 1 to ops@example\.com \(saved as (\S+\/001\.eml)\)\n {2}Subject: \[FIRING:warning\] shop: balance 0\.37 USD is below 1 USD\n {2}Severity: +warning\n {2}Status: +started firing\n {2}Value: +0\.37 USD\n {2}Threshold: +1 USD\n/);
      const eml = readFileSync(join(b.mailDir!, '001.eml'), 'utf8');
      expect(eml).toMatch(/^Subject: \[FIRING:warning\] shop: balance 0\.37 USD is below 1 USD/m);

      // The status page the banner links lists both accounts; the metrics show the live values.
      const page = await (await fetch(`${b.status}/`)).text();
      expect(page).toContain('demo');
      expect(page).toContain('shop');
      expect(sampleValue(await scrape(b.status!), 'sendpulse_balance', { account: 'shop', kind: 'main', currency: 'USD' })).toBe(0.37);

      // The scripted drop (30 s after start) fires a real critical mail: within a minute of start.
      await waitFor('the demo balance mail', () => p.output().includes('Subject: [FIRING:critical] demo: balance 1.50 USD is below 2 USD'), 60_000, 250);
      const elapsed = Date.now() - started;
      expect(elapsed).toBeLessThan(60_000);
      expect(readdirSync(b.mailDir!).sort()).toEqual(['001.eml', '002.eml']);
      process.stdout.write(`demo: the balance-drop mail was printed ${(elapsed / 1000).toFixed(1)} s after the demo started\n`);

      p.proc.kill('SIGINT');
      expect(await p.exited).toBe(0);
      // Nothing left: the temp folder (config, mails, Redis data) is gone and every port is closed.
      expect(readdirSync(tmp)).toEqual([]);
      for (const port of [b.redis, b.smtp, new URL(b.simulator!).port, new URL(b.status!).port]) expect([port, await listening(Number(port))]).toEqual([port, false]);
    } finally {
      await stop(p);
    }
  }, 90_000);

  it('SIGTERM releases everything too', async () => {
    const p = spawnDemo(['--port', '0', '--drop-after', '1h'], tmp);
    try {
      const b = await waitFor('the banner', () => { const x = banner(p.output()); return x.mailDir && x; }, 20_000);
      expect(existsSync(b.mailDir!)).toBe(true);
      p.proc.kill('SIGTERM');
      expect(await p.exited).toBe(0);
      expect(readdirSync(tmp)).toEqual([]);
      expect(await listening(Number(b.redis))).toBe(false);
    } finally {
      await stop(p);
    }
  });

  it('a port in use: one clear line, exit 1, nothing started or left behind', async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((res) => holder.listen(port, '127.0.0.1', () => res()));
    try {
      const p = spawnDemo(['--port', String(port)], tmp);
      expect(await p.exited).toBe(1);
      expect(p.output()).toBe(`sendpulse-monitor demo: port ${port} on 127.0.0.1 is already in use (another demo or monitor?): stop it, or pick another with --port N\n`);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      await new Promise<void>((res) => holder.close(() => res()));
    }
  });

  it('refuses an unknown option with the usage, exit 2', async () => {
    const p = spawnDemo(['--prot', '9500'], tmp);
    expect(await p.exited).toBe(2);
    expect(p.output()).toContain('sendpulse-monitor demo: unknown option --prot (did you mean --port?)');
    expect(readdirSync(tmp)).toEqual([]);
  });
});
