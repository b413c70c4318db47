import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { waitFor } from '../helpers/wait-for';
import { AlertHarness, TestSmtp, emailTo } from '../unit/alerts/alert-harness';
import { makeConfig } from '../unit/alerts/config-fixture';

// The child runs the real engine (and in `mid-send` mode the real notification worker) from the
// TypeScript sources, compiled on load with typescript's transpileModule: no build needed.
const CHILD = `
const ts = require('typescript');
const fs = require('fs');
require.extensions['.ts'] = (m, f) => m._compile(ts.transpileModule(fs.readFileSync(f, 'utf8'), { fileName: f,
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText, f);
const root = process.env.ROOT;
const { makeConfig, balanceReading } = require(root + '/test/unit/alerts/config-fixture.ts');
const { AlertEngine } = require(root + '/src/alerts/alert-engine.ts');
const { createNotificationQueue } = require(root + '/src/alerts/notification-queue.ts');
const { startNotificationWorker } = require(root + '/jobs/deliver-notification.ts');
const { ReadingStore } = require(root + '/src/state/reading-store.ts');
const { Secret } = require(root + '/src/config/secret.ts');
const IORedis = require('ioredis').default;
(async () => {
  const { REDIS_PORT, PREFIX, NOW, MODE, SMTP_URL } = process.env;
  const config = makeConfig({ alerts: { email: { smtpUrl: new Secret(SMTP_URL), from: 'monitor@example.test', to: ['ops@example.test'] } } });
  const redis = new IORedis(Number(REDIS_PORT), '127.0.0.1');
  await new ReadingStore(redis, PREFIX).saveSuccess('main', 'balance', balanceReading({ main: 1 }), Number(NOW));
  let queue;
  if (MODE === 'before-enqueue') {
    // Dies between the transition (already in Redis) and the enqueue.
    queue = { add: () => { process.stdout.write('committed\\n'); return new Promise(() => {}); } };
  } else {
    queue = createNotificationQueue({ connection: { host: '127.0.0.1', port: Number(REDIS_PORT) }, prefix: PREFIX, maxAttempts: 10, backoffMs: 100 });
    startNotificationWorker({ connection: new IORedis(Number(REDIS_PORT), '127.0.0.1', { maxRetriesPerRequest: null }), redis, prefix: PREFIX,
      config, lockDuration: 1000, stalledInterval: 500 });
  }
  const engine = new AlertEngine({ redis, prefix: PREFIX, config, queue, now: () => Number(NOW), intervalFor: (account, endpoint) => account.intervals[endpoint] });
  await engine.onPoll(config.accounts[0], 'balance', 'ok');
  setInterval(() => {}, 1000);
})();
`;

let redis: TestRedis;
let smtp: TestSmtp;
let dir: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  redis = await startRedis();
  smtp = await TestSmtp.start();
  dir = mkdtempSync(join(tmpdir(), 'spm-alerts-kill-'));
  writeFileSync(join(dir, 'child.js'), CHILD);
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await smtp.down();
  await redis.close();
  rmSync(dir, { recursive: true, force: true });
});

function startChild(mode: string, prefix: string, now: number): { proc: ChildProcess; stdout: () => string; exited: Promise<void> } {
  let out = '';
  const proc = spawn(process.execPath, [join(dir, 'child.js')], {
    cwd: resolve(__dirname, '../..'),
    env: { ...process.env, NODE_PATH: resolve(__dirname, '../../node_modules'), ROOT: resolve(__dirname, '../..'), REDIS_PORT: String(redis.port), PREFIX: prefix, NOW: String(now), MODE: mode, SMTP_URL: smtp.url, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  proc.stdout?.on('data', (c) => { out += c; });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  child = proc;
  return { proc, stdout: () => out, exited };
}

describe('a worker SIGKILLed between the transition and the send', () => {
  it('still delivers the mail exactly once when it died before enqueueing', async () => {
    const prefix = `k${randomUUID().slice(0, 8)}`;
    const h = new AlertHarness(redis, makeConfig({ alerts: { email: emailTo(smtp) } }), prefix);
    try {
      const c = startChild('before-enqueue', prefix, h.clock);
      await waitFor('the child to take the transition', () => c.stdout().includes('committed'), 30000);
      c.proc.kill('SIGKILL');
      await c.exited;
      expect(await h.queue.getJobCounts('waiting', 'delayed', 'active', 'completed')).toEqual({ waiting: 0, delayed: 0, active: 0, completed: 0 });
      h.startWorker();
      await h.engine.evaluateAll(); // the periodic pass sweeps the outbox
      await h.settle();
      await h.engine.evaluateAll();
      await h.settle();
      expect(smtp.subjects()).toEqual(['[FIRING:critical] main: balance 1.00 USD is below 2 USD']);
    } finally {
      await h.close();
      smtp.mails.length = 0;
    }
  });

  it('still delivers the mail exactly once when it died in the middle of the SMTP conversation', async () => {
    const prefix = `k${randomUUID().slice(0, 8)}`;
    const h = new AlertHarness(redis, makeConfig({ alerts: { email: emailTo(smtp) } }), prefix);
    try {
      const c = startChild('mid-send', prefix, h.clock);
      // The SMTP server holds the message unanswered and the worker is killed while it waits.
      const held = new Promise<void>((r) => { smtp.onHold = r; });
      await held;
      c.proc.kill('SIGKILL');
      await c.exited;
      expect(smtp.mails).toHaveLength(0);
      h.startWorker({ lockDuration: 1000, stalledInterval: 500 }); // takes the stalled job over
      await waitFor('the mail', () => smtp.mails.length === 1, 30000);
      await h.settle();
      await h.engine.evaluateAll();
      await h.settle();
      expect(smtp.subjects()).toEqual(['[FIRING:critical] main: balance 1.00 USD is below 2 USD']);
    } finally {
      await h.close();
      smtp.mails.length = 0;
    }
  });
});
