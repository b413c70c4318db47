import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Registry } from 'prom-client';
import { registerAlertMetrics } from '../../src/alerts/alert-metrics';
import { runTestAlert } from '../../src/cli/test-alert';
import { Secret } from '../../src/config/secret';
import { freePort } from '../helpers/free-port';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { AlertHarness, TestSmtp, emailTo } from '../unit/alerts/alert-harness';
import { MIN, balanceReading, makeConfig } from '../unit/alerts/config-fixture';

let redis: TestRedis;
let server: Server;
let port: number;
let status = 200;
const received: { headers: IncomingMessage['headers']; body: Record<string, unknown> }[] = [];

beforeAll(async () => {
  redis = await startRedis();
  port = await freePort();
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => {
      if (status === 200) received.push({ headers: req.headers, body: JSON.parse(data) });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no such hook');
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
});
afterAll(async () => {
  server.closeAllConnections(); // undici keeps connections alive
  await new Promise<void>((r) => server.close(() => r()));
  await redis.close();
});

function webhook() {
  return { url: new Secret(`http://127.0.0.1:${port}/hooks/T0K3N`), headers: { Authorization: new Secret('Bearer hook-secret') } };
}

describe('alert webhook', () => {
  it('POSTs the documented JSON with a Slack-compatible text, the configured headers and a link to the status page', async () => {
    const h = new AlertHarness(redis, makeConfig({ alerts: { webhook: webhook(), dashboardUrl: 'https://grafana.example/d/spm' },
      server: { publicUrl: 'https://monitor.example.com' } }), `w${randomUUID().slice(0, 8)}`);
    try {
      h.startWorker();
      await h.pollOk(balanceReading({ main: 1.5 }));
      await h.settle();
      expect(received).toHaveLength(1);
      const { headers, body } = received[0];
      expect(headers.authorization).toBe('Bearer hook-secret');
      expect(headers['content-type']).toBe('application/json');
      expect(body).toEqual({
        version: 1, id: 'main.balance.balance.1', status: 'firing', kind: 'firing', severity: 'critical', previousSeverity: 'ok',
        account: 'main', alert: 'balance', service: 'balance', value: 1.5, valueText: '1.50 USD', threshold: 2, thresholdText: '2 USD',
        since: '2026-05-01T12:00:00.000Z', at: '2026-05-01T12:00:00.000Z', runwaySeconds: null,
        recentReadings: [{ at: '2026-05-01T12:00:00.000Z', value: 1.5 }], dashboardUrl: 'https://grafana.example/d/spm',
        accountUrl: 'https://monitor.example.com/accounts/main',
        summary: '[FIRING:critical] main: balance 1.50 USD is below 2 USD',
        text: '[FIRING:critical] main: balance 1.50 USD is below 2 USD (started firing) <https://monitor.example.com/accounts/main|status page> <https://grafana.example/d/spm|dashboard>',
      });
      // The account's alert history has the transition and the delivery, newest first.
      expect((await h.engine.store.events.recent('main')).map((e) => [e.kind, e.rule, e.severity, e.channel ?? null, e.headline])).toEqual([
        ['sent', 'balance', 'critical', 'webhook', 'balance 1.50 USD is below 2 USD'],
        ['firing', 'balance', 'critical', null, 'balance 1.50 USD is below 2 USD'],
      ]);
    } finally {
      await h.close();
      received.length = 0;
    }
  });

  it('keeps each failed attempt and the drop in the account\'s alert history, with the HTTP error', async () => {
    status = 500;
    const h = new AlertHarness(redis, makeConfig({ alerts: { webhook: webhook(), maxAttempts: 2 } }), `f${randomUUID().slice(0, 8)}`);
    try {
      h.startWorker();
      await h.pollOk(balanceReading({ main: 1.5 }));
      await h.settle();
      const events = await h.engine.store.events.recent('main');
      expect(events.map((e) => [e.kind, e.channel ?? null])).toEqual([['dropped', 'webhook'], ['failed', 'webhook'], ['failed', 'webhook'], ['firing', null]]);
      expect(events[1].error).toBe('webhook: HTTP 500: no such hook');
      expect(JSON.stringify(events)).not.toMatch(/T0K3N|hook-secret/);
    } finally {
      status = 200;
      await h.close();
    }
  });

  it('shows firing alerts in sendpulse_alert_firing from the shared Redis state', async () => {
    const h = new AlertHarness(redis, makeConfig({ alerts: { webhook: webhook() } }), `m${randomUUID().slice(0, 8)}`);
    try {
      const registry = new Registry();
      registerAlertMetrics(registry, { stores: [h.engine.store], accounts: () => ['main'] });
      await h.pollOk(balanceReading({ main: 5, emailsLeft: 50 }));
      let text = await registry.metrics();
      expect(text).toContain('sendpulse_alert_firing{account="main",alert="balance",severity="warning",service="balance"} 1');
      expect(text).toContain('sendpulse_alert_firing{account="main",alert="emailsLeft",severity="critical",service="email"} 1');
      h.clock += 5 * MIN;
      await h.pollOk(balanceReading({ main: 50, emailsLeft: 50 }));
      text = await registry.metrics();
      expect(text).not.toContain('alert="balance"');
      expect(text).toContain('alert="emailsLeft"');
    } finally {
      await h.close();
      received.length = 0;
    }
  });
});

describe('test-alert', () => {
  it('sends through every channel and says delivered', async () => {
    const smtp = await TestSmtp.start();
    try {
      const lines: string[] = [];
      const code = await runTestAlert(makeConfig({ alerts: { email: emailTo(smtp), webhook: webhook() } }), (l) => lines.push(l));
      expect({ code, lines }).toEqual({ code: 0, lines: ['email: delivered', 'webhook: delivered'] });
      expect(smtp.subjects()).toEqual(['[TEST] main: test notification: alert delivery works']);
      expect(received.at(-1)?.body.status).toBe('test');
    } finally {
      await smtp.down();
      received.length = 0;
    }
  });

  it('prints the exact SMTP and HTTP errors, retryable or not, never the SMTP password, and exits 1', async () => {
    const dead = await freePort();
    status = 404;
    try {
      const lines: string[] = [];
      const code = await runTestAlert(makeConfig({ alerts: {
        email: { smtpUrl: new Secret(`smtp://alerts:s3cr3t-smtp-pass@127.0.0.1:${dead}`), from: 'm@example.test', to: ['ops@example.test'] },
        webhook: webhook() } }), (l) => lines.push(l));
      expect(code).toBe(1);
      expect(lines).toEqual([`email: failed (retryable): connect ECONNREFUSED 127.0.0.1:${dead}`, 'webhook: rejected (HTTP 404: no such hook)']);
      expect(lines.join('\n')).not.toMatch(/s3cr3t|T0K3N|hook-secret/);
    } finally {
      status = 200;
    }
  });
});
