import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeActiveRules } from '../alerts/describe-active-rules';
import { tryParseDuration } from '../config/duration';
import { loadConfig } from '../config/load-config';
import { routeConsoleToLogger } from '../console-to-logger';
import { AGENCY_SENDS, AGENCY_SENDS_EVERY_MS, demoConfigYaml, demoSimAccounts, DROPPED_BALANCE } from '../demo/demo-config';
import { keyLines, startMailCatcher, type CaughtMail } from '../demo/mail-catcher';
import { ClosingError } from '../errors';
import { childLogger } from '../logger';
import { startSimulator } from '../simulator/simulator';
import { hasRedisServer, startPrivateRedis } from '../state/private-redis';
import { startMonitor } from '../worker';
import { commandUsage } from './command-specs';
import { parseCommandLine, stringOption } from './parse-command-line';

/** When the demo lowers the `demo` account's balance, so the first alert mail comes within a minute of start. */
const BALANCE_DROP_AFTER_MS = 30_000;
/** The host everything of the demo listens on. */
const HOST = '127.0.0.1';

/** True when something already listens on host:port (port 0 is never taken). */
function portTaken(port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'));
    probe.listen(port, HOST, () => probe.close(() => resolve(false)));
  });
}

/** The lines a caught mail prints: who it went to, where it was saved, the subject and the key lines. */
function mailLines(m: CaughtMail): string[] {
  return [
    '',
    `mail ${m.seq} to ${m.to.join(', ')} (saved as ${m.file})`,
    `  Subject: ${m.subject}`,
    ...keyLines(m.text).map((l) => `  ${l}`),
  ];
}

/** Things to stop, last started first. */
class Cleanup {
  private readonly steps: (() => Promise<unknown> | unknown)[] = [];
  add(step: () => Promise<unknown> | unknown): void {
    this.steps.push(step);
  }
  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch {
        // the next step still runs: a stuck simulator must not keep Redis alive
      }
    }
  }
}

/**
 * `sendpulse-monitor demo`: everything on this machine, nothing to configure. A private redis-server
 * (unless REDIS_URL is set), the simulator, a mail catcher and the worker with alert rules on; prints
 * where everything is and every alert mail as it arrives. SIGINT/SIGTERM, at any moment (during the
 * start too), stop and remove all of it; so does a failed start (one line, exit 1).
 */
export async function main(argv: string[]): Promise<number> {
  const cli = parseCommandLine('demo', argv);
  if (!cli.ok) return cli.exitCode;
  const out = (s: string) => process.stdout.write(s + '\n');
  const fail = (s: string) => process.stderr.write(`sendpulse-monitor demo: ${s}\n`);
  const portText = stringOption(cli.values, 'port') ?? process.env.PORT ?? '9464';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    fail(`--port: ${JSON.stringify(portText)} is not a port number (0 to 65535)\n\n${commandUsage('demo')}`);
    return 2;
  }
  const dropText = stringOption(cli.values, 'drop-after');
  const dropAfterMs = dropText === undefined ? BALANCE_DROP_AFTER_MS : tryParseDuration(dropText);
  if (dropAfterMs === undefined) {
    fail(`--drop-after: ${JSON.stringify(dropText)} is not a duration (use 30s, 5m, 1h)\n\n${commandUsage('demo')}`);
    return 2;
  }

  // From here on a signal stops the demo, also halfway through its start; a second one is ignored
  // (the first is already removing everything).
  let stopRequested!: () => void;
  const stopped = new Promise<void>((resolve) => { stopRequested = resolve; });
  let stopping = false;
  const onSignal = () => {
    if (!stopping) out('stopping...');
    stopping = true;
    stopRequested();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const cleanup = new Cleanup();
  const log = childLogger({ component: 'demo' });
  // BullMQ's and ioredis's console prints become log lines (warnings and errors show, as JSON).
  const restoreConsole = routeConsoleToLogger(log);
  let failed = false;
  try {
    if (await portTaken(port)) {
      fail(`port ${port} on ${HOST} is already in use (another demo or monitor?): stop it, or pick another with --port N`);
      return 1;
    }
    let redisUrl = process.env.REDIS_URL || undefined;
    let redisNote = '';
    if (!redisUrl) {
      if (!hasRedisServer()) {
        fail('redis-server was not found on PATH.\n' +
          '  Debian/Ubuntu: sudo apt-get install -y redis-server\n' +
          '  macOS:         brew install redis\n' +
          '  or point the demo at a running Redis: REDIS_URL=redis://host:6379 npm run demo');
        return 1;
      }
      const redis = await startPrivateRedis();
      cleanup.add(() => redis.close());
      redisUrl = redis.url;
      redisNote = ' (private, removed on exit)';
    }
    if (stopping) return 0;
    const dir = mkdtempSync(join(tmpdir(), 'spm-demo-'));
    cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
    const mailDir = join(dir, 'mail');
    mkdirSync(mailDir);
    const catcher = await startMailCatcher({
      dir: mailDir,
      onMail: (m) => mailLines(m).forEach(out),
      onError: (err) => log.warn({ err: err.message }, 'mail catcher: a mail could not be read'),
    });
    cleanup.add(() => catcher.close());
    const sim = await startSimulator({ accounts: demoSimAccounts() });
    cleanup.add(() => sim.close());
    if (stopping) return 0;

    const file = join(dir, 'config.yaml');
    writeFileSync(file, demoConfigYaml({ simUrl: sim.url, redisUrl, port, smtpUrl: catcher.url }));
    const config = loadConfig({ file, env: {} });
    let monitor;
    try {
      monitor = await startMonitor(config);
    } catch (err) {
      // A ListenError (the port was taken after the check above) carries Node's error as its cause.
      const e = err as Error & { cause?: NodeJS.ErrnoException };
      fail(e.cause?.code === 'EADDRINUSE' ? `port ${port} on ${HOST} is already in use: stop what holds it, or pick another with --port N`
        : `the monitor could not start: ${e.message}`);
      return 1;
    }
    cleanup.add(() => monitor.close(3000));
    // What must not run (a REDIS_URL whose Redis may evict keys) stops the demo with its reason.
    monitor.started.catch((err: Error) => {
      if (err instanceof ClosingError) return;
      fail(`the monitor could not start: ${err.message}`);
      failed = true;
      stopRequested();
    });

    const rules = (name: string) => describeActiveRules(config.accounts.find((a) => a.name === name)!).rules.join(', ');
    out('');
    out('sendpulse-monitor demo is running');
    out(`  status:     ${monitor.url}/   (status page: every account, its values, alerts and trends; JSON under /api/v1/)`);
    out(`  metrics:    ${monitor.url}/metrics`);
    out(`  simulator:  ${sim.url} (SendPulse API simulator; control API under ${sim.url}/_control/)`);
    out(`  redis:      ${redisUrl}${redisNote}`);
    out(`  mail:       ${catcher.url} catches the alert e-mails: printed below, kept as .eml in ${mailDir}`);
    out(`  config:     ${file}`);
    out('');
    out('Accounts (simulated):');
    out(`  demo  OAuth client credentials, balance 9.36 USD; rules: ${rules('demo')}.`);
    out(`        In ${Math.round(dropAfterMs / 1000)} s its balance drops to ${DROPPED_BALANCE} USD, below the critical 2 USD:`);
    out('        a [FIRING:critical] mail follows within seconds.');
    out(`  shop  API key, balance 0.37 USD; its own rules: ${rules('shop')}.`);
    out('        0.37 is below its warning level of 1 USD: a [FIRING:warning] mail arrives right away.');
    out('  agency API key, balance 42.80 USD; it sends mail, so its credits fall: the status page shows a forecast.');
    out(`Press Ctrl-C to stop: it removes the Redis, the simulator and ${dir}.`);
    const sending = setInterval(() => {
      const left = sim.account('agency')?.balanceDetail as { email: { emails_left: number }; smtp: { email_qty_left: number } } | undefined;
      if (left) sim.updateAccount('agency', { balanceDetail: { email: { emails_left: left.email.emails_left - AGENCY_SENDS.emails }, smtp: { email_qty_left: left.smtp.email_qty_left - AGENCY_SENDS.smtp } } });
    }, AGENCY_SENDS_EVERY_MS);
    cleanup.add(() => clearInterval(sending));
    const drop = setTimeout(() => {
      sim.updateAccount('demo', { balanceDetail: { balance: { main: DROPPED_BALANCE } } });
      out('');
      out(`demo: the simulator lowered the "demo" balance to ${DROPPED_BALANCE} USD; the next poll (every 5 s) fires the balance rule.`);
    }, dropAfterMs);
    cleanup.add(() => clearTimeout(drop));
    await stopped;
    return failed ? 1 : 0;
  } finally {
    await cleanup.run();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    log.info('demo stopped');
    restoreConsole();
  }
}
