import { randomUUID } from 'node:crypto';
import IORedis from 'ioredis';
import { AlertmanagerSink } from '../../src/alerts/alertmanager-sink';
import type { AlertmanagerConfig } from '../../src/alerts/channels/alertmanager';
import { runTestAlert } from '../../src/cli/test-alert';
import { startAlertmanager, type AmAlert, type TestAlertmanager } from '../helpers/alertmanager';
import { startHttpReceiver, type HttpReceiver } from '../helpers/receivers/http-receiver';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { waitFor } from '../helpers/wait-for';
import { AlertHarness, closedPort } from '../unit/alerts/alert-harness';
import { MIN, balanceReading, makeConfig } from '../unit/alerts/config-fixture';

const DASHBOARD = 'https://grafana.example/d/spm';
const PERIOD = 1000;

let am: TestAlertmanager;
let redis: TestRedis;
let recorder: HttpReceiver;
let dead: number;

beforeAll(async () => {
  [am, redis, recorder, dead] = await Promise.all([
    startAlertmanager({ resolveTimeout: '2s' }), startRedis(), startHttpReceiver(() => ({ status: 200, body: '' })), closedPort(),
  ]);
}, 30_000);
afterAll(async () => {
  await Promise.all([am?.close(), redis?.close(), recorder?.close()]);
});

/** Every configured Alertmanager: the real one, one that is down, and a recorder (an HA pair's second member). */
function amConfig(over: Partial<AlertmanagerConfig> = {}): AlertmanagerConfig {
  return { urls: [am.url, `http://127.0.0.1:${dead}`, recorder.url], resendInterval: PERIOD, labels: { team: 'billing' }, ...over };
}

/** The balance rule's alerts, whatever their severity (SendPulseBalanceLow, SendPulseBalanceCritical). */
const balanceAlerts = async (): Promise<AmAlert[]> => (await am.alerts()).filter((a) => a.labels.sendpulse_rule === 'balance');

describe('Alertmanager as a sink (a real prometheus-alertmanager 0.25)', () => {
  it('keeps a firing alert active with the chart\'s labels past three resolve_timeouts, swaps it on escalation, and resolves it within a period', async () => {
    const prefix = `am${randomUUID().slice(0, 8)}`;
    const cfg = amConfig();
    const h = new AlertHarness(redis, makeConfig({ alerts: { alertmanager: cfg, dashboardUrl: DASHBOARD } }), prefix);
    const sink = new AlertmanagerSink({ redis: h.redis, prefix, config: cfg, alerts: h.engine.store, accounts: () => ['main'], dashboardUrl: DASHBOARD });
    try {
      h.startWorker();
      sink.start();
      await h.pollOk(balanceReading({ main: 5 }));
      await waitFor('the warning in Alertmanager', async () => (await balanceAlerts()).some((a) => a.labels.severity === 'warning'));

      h.clock += 5 * MIN;
      await h.pollOk(balanceReading({ main: 1.5 }));
      // Severity is a label and names the alert: the escalation ends the warning alert and starts the critical one.
      await waitFor('only the critical alert', async () => {
        const list = await balanceAlerts();
        return list.length === 1 && list[0].labels.severity === 'critical';
      });
      const [alert] = await balanceAlerts();
      expect(alert.labels).toEqual({ alertname: 'SendPulseBalanceCritical', sendpulse_rule: 'balance', account: 'main', service: 'balance', severity: 'critical', team: 'billing' });
      expect(alert.annotations).toEqual({
        summary: 'SendPulse account main: balance 1.50 USD is below 2 USD', value: '1.50 USD', dashboard: DASHBOARD,
        description: 'Fires when balance.main is below the threshold (account currency).',
      });
      expect(alert.generatorURL).toBe(DASHBOARD);
      expect(alert.status.state).toBe('active');

      // Its endsAt is 4 periods ahead: without the re-posts it would resolve after 4 s; it must still be active after 7 s (3.5 x resolve_timeout).
      const postsBefore = recorder.requests.length;
      const until = Date.now() + 7000;
      while (Date.now() < until) {
        expect((await balanceAlerts()).map((a) => a.labels.severity)).toEqual(['critical']);
        await new Promise((r) => setTimeout(r, 250));
      }
      // Every configured Alertmanager got the re-posts (the one that is down did not stop them).
      expect(recorder.requests.length - postsBefore).toBeGreaterThanOrEqual(4);

      h.clock += 5 * MIN;
      const resolvedAt = Date.now();
      await h.pollOk(balanceReading({ main: 50 }));
      await waitFor('the alert resolved in Alertmanager', async () => (await balanceAlerts()).length === 0, 5000, 50);
      expect(Date.now() - resolvedAt).toBeLessThan(PERIOD + 1000);
      // And it stays resolved: the next passes do not bring it back.
      await waitFor('two more periods', () => Date.now() - resolvedAt > 2 * PERIOD || undefined);
      expect(await balanceAlerts()).toEqual([]);
    } finally {
      await sink.stop();
      await h.close();
    }
  }, 40_000);

  it('is posted by one replica at a time, and another takes over within two periods when the holder dies', async () => {
    const prefix = `lease${randomUUID().slice(0, 8)}`;
    const cfg = amConfig({ urls: [recorder.url], resendInterval: 500 });
    const h = new AlertHarness(redis, makeConfig({ alerts: { alertmanager: cfg } }), prefix);
    const conns = [new IORedis(redis.url), new IORedis(redis.url)];
    const sinks = conns.map((c) => new AlertmanagerSink({ redis: c, prefix, config: cfg, alerts: h.engine.store, accounts: () => ['main'] }));
    try {
      await h.pollOk(balanceReading({ main: 1 })); // fires; no worker: the re-posts carry it alone
      const from = recorder.requests.length;
      const start = Date.now();
      sinks.forEach((s) => s.start());
      await waitFor('3 s of re-posts', () => Date.now() - start >= 3000 || undefined, 5000);
      const posts = recorder.requests.slice(from).filter((r) => r.text.includes('SendPulseBalanceCritical'));
      // One replica: about one post per 500 ms period (two replicas would make about twice as many).
      expect(posts.length).toBeGreaterThanOrEqual(5);
      expect(posts.length).toBeLessThanOrEqual(8);

      // The holder loses Redis (as if it died): its lease expires after 2 periods and the other takes over.
      const holder = (await conns[0].get(sinks[0].lease.key)) === sinks[0].lease.id ? 0 : 1;
      conns[holder].disconnect();
      const diedAt = Date.now();
      await waitFor('a post by the other replica', () => recorder.requests.some((r) => r.at > diedAt + 100), 5000, 50);
      const gaps = recorder.requests.filter((r) => r.at >= diedAt - 600).map((r) => r.at).sort((a, b) => a - b);
      const worst = Math.max(...gaps.slice(1).map((t, i) => t - gaps[i]));
      // The product's worst case: the lease's 2 periods plus one tick (1,500 ms); the rest is timer lateness on a loaded machine.
      expect(worst).toBeLessThanOrEqual(3 * 500 + 1000);
    } finally {
      await Promise.all(sinks.map((s) => s.stop().catch(() => undefined)));
      conns.forEach((c) => c.disconnect());
      await h.close();
    }
  }, 30_000);

  it('test-alert posts a test alert to every Alertmanager and says delivered, or rejected with its reason', async () => {
    const lines: string[] = [];
    const code = await runTestAlert(makeConfig({ alerts: { alertmanager: amConfig({ urls: [am.url, `http://127.0.0.1:${dead}`] }) } }), (l) => lines.push(l));
    expect({ code, lines }).toEqual({ code: 0, lines: ['alertmanager: delivered'] });
    const test = (await am.alerts()).find((a) => a.labels.alertname === 'SendPulseMonitorTest');
    expect(test?.labels).toEqual({ alertname: 'SendPulseMonitorTest', account: 'main', service: 'test', severity: 'info', team: 'billing' });

    recorder.script(1, { status: 400, body: '"start time must be before end time"' });
    const refused: string[] = [];
    expect(await runTestAlert(makeConfig({ alerts: { alertmanager: amConfig({ urls: [recorder.url] }) } }), (l) => refused.push(l))).toBe(1);
    expect(refused).toEqual([`alertmanager: rejected (${recorder.url}: HTTP 400: start time must be before end time)`]);
  });
});
