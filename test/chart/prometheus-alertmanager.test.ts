import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { startSimulator } from '../../src/simulator/simulator';
import type { Simulator } from '../../src/simulator/types';
import { startPrivateRedis, type PrivateRedis } from '../../src/state/private-redis';
import { killAll, spawnCli, type CliProcess } from '../helpers/monitor-env';
import {
  amAlerts, promQuery, startAlertmanager, startPrometheus, startWebhookReceiver,
  type AmAlert, type RealServer, type WebhookReceiver,
} from '../helpers/prometheus-stack';
import { waitFor } from '../helpers/wait-for';
import { ROOT, find, helm, render, type Manifest } from './helm';

/**
 * The PrometheusRule path end to end, as a kube-prometheus-stack user runs it: Debian's Prometheus 2.42
 * scrapes two replicas of the monitor (config rendered by the chart, fed by the simulator) the way the
 * chart's ServiceMonitor makes the operator scrape them, evaluates the chart's rules, and sends to
 * Alertmanager 0.25 with kube-prometheus-stack's default inhibit rules and routing plus the chart's
 * inhibit rule. A webhook receiver stands in for the person who gets the notifications. Time runs about
 * 60x faster than in production (test/chart/e2e-values.yaml).
 */

const ACCOUNTS = ['healthy', 'lowbal', 'odd', 'badkey', 'neverok'];
const NAMESPACE = 'monitoring';

let redis: PrivateRedis;
let sim: Simulator;
let prometheus: RealServer;
let alertmanager: RealServer;
let person: WebhookReceiver;
let dir: string;
const monitors: CliProcess[] = [];
/** Alertmanager's view, sampled every second: proves what held all along, not only at the end. */
const samples: { at: number; alerts: AmAlert[] }[] = [];
let sampler: NodeJS.Timeout | undefined;
/** When badkey's credentials started being rejected. */
let badSince = 0;

const alertsNamed = (alerts: AmAlert[], name: string, account?: string) =>
  alerts.filter((a) => a.labels.alertname === name && (account === undefined || a.labels.account === account));
const notified = (name: string, account: string, status: 'firing' | 'resolved') =>
  person.notifications.filter((n) => n.alerts.some((a) => a.labels.alertname === name && a.labels.account === account && a.status === status));
const setBalance = (account: string, main: string) => sim.updateAccount(account, { balanceDetail: { balance: { main } } });

/** Alertmanager's config: kube-prometheus-stack's defaults with shorter timers, a person's webhook and the chart's inhibit rule. */
function alertmanagerConfig(ms: Manifest[]): object {
  const config = parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/alertmanager/kube-prometheus-stack.yaml'), 'utf8'));
  const matchers = (ms: { name: string; matchType: string; value: string }[]) => ms.map((m) => `${m.name}${m.matchType}${JSON.stringify(m.value)}`);
  const chartRules = find(ms, 'AlertmanagerConfig')!.spec.inhibitRules.map((r: Manifest) => ({
    source_matchers: matchers(r.sourceMatch), target_matchers: matchers(r.targetMatch), equal: r.equal,
  }));
  config.inhibit_rules.push(...chartRules);
  Object.assign(config.route, { receiver: 'person', group_wait: '1s', group_interval: '2s', repeat_interval: '1h' });
  config.receivers.push({ name: 'person', webhook_configs: [{ url: person.url, send_resolved: true }] });
  return config;
}

/** Prometheus' scrape job for the two replicas, as the operator builds it from the chart's ServiceMonitor. */
function scrapeJob(ms: Manifest[], targets: string[]): object {
  const sm = find(ms, 'ServiceMonitor')!;
  const service = find(ms, 'Service', 'sendpulse-monitor')!;
  const endpoint = sm.spec.endpoints[0];
  expect(sm.spec.jobLabel).toBeUndefined(); // so the job is the Service's name
  return {
    job_name: service.metadata.name,
    honor_labels: endpoint.honorLabels,
    metrics_path: endpoint.path,
    scrape_interval: '1s',
    scrape_timeout: '1s',
    static_configs: targets.map((t, i) => ({
      targets: [t],
      labels: { namespace: NAMESPACE, service: service.metadata.name, endpoint: endpoint.port, pod: `${service.metadata.name}-${i}`, container: 'monitor' },
    })),
  };
}

beforeAll(async () => {
  helm(['version']);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spm-prom-e2e-'));
  redis = await startPrivateRedis();
  const now = Date.now();
  sim = await startSimulator({
    accounts: ACCOUNTS.map((id, i) => ({
      id, apiKey: `key-${id}`, clientId: `client-${id}`, clientSecret: `secret-${id}`,
      userInfo: sampleUserInfo(100 + i, 'A B'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(now, '50.00'),
    })),
  });
  // neverok's key never works: it never has a good poll.
  sim.setFault({ kind: 'unauthorized', account: 'neverok' });
  person = await startWebhookReceiver();

  const ms = render(path.join(__dirname, 'e2e-values.yaml'), [`redis.url=${redis.url}`, `config.sendpulse.baseUrl=${sim.url}`]);
  // The Secret, mounted as files; port 0 so that both replicas run on this host.
  const secret = find(ms, 'Secret')!;
  for (const [key, value] of Object.entries(secret.data as Record<string, string>)) fs.writeFileSync(path.join(dir, key), Buffer.from(value, 'base64'));
  const config = find(ms, 'ConfigMap', 'sendpulse-monitor')!.data['config.yaml']
    .replaceAll('/etc/sendpulse-monitor/secrets', dir).replace(/^( {2}port:) 9464$/m, '$1 0');
  fs.writeFileSync(path.join(dir, 'config.yaml'), config);
  for (let i = 0; i < 2; i++) monitors.push(spawnCli(['run', '--config', path.join(dir, 'config.yaml')], { LOG_LEVEL: 'info' }));
  const targets = await Promise.all(monitors.map(async (m) => new URL(await m.url()).host));

  alertmanager = await startAlertmanager(alertmanagerConfig(ms));
  const rules = find(ms, 'PrometheusRule')!.spec;
  prometheus = await startPrometheus({
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: ['rules.yaml'],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(alertmanager.url).host] }] }] },
    scrape_configs: [scrapeJob(ms, targets)],
  }, { 'rules.yaml': JSON.stringify({ groups: rules.groups }) }, ['--rules.alert.resend-delay=2s']);

  await waitFor('both replicas scraped and every reachable account polled', async () => {
    const up = await promQuery(prometheus.url, `sendpulse_up{job="spm-sendpulse-monitor"}`);
    return up.filter((s) => s.value === 1).length === 2 * (ACCOUNTS.length - 1);
  }, 60_000, 500);
  // From here on badkey's key is rejected: a key revoked while the monitor runs.
  sim.setFault({ kind: 'unauthorized', account: 'badkey' });
  badSince = Date.now();
  sampler = setInterval(() => {
    amAlerts(alertmanager.url).then((alerts) => samples.push({ at: Date.now(), alerts }), () => undefined);
  }, 1000);
}, 120_000);

afterAll(async () => {
  if (sampler) clearInterval(sampler);
  await killAll(monitors);
  await prometheus?.stop();
  await alertmanager?.stop();
  await person?.close();
  await sim?.close();
  await redis?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the PrometheusRule path with real Prometheus and Alertmanager', () => {
  it('tells a person warning, then critical, then resolved: no false resolved, one alert per account, no account silencing another', async () => {
    setBalance('lowbal', '5.00');
    setBalance('odd', '5.00');
    sim.updateAccount('odd', { balanceDetail: { smtp: { email_qty_left: 120 } } });
    await waitFor('the warnings of lowbal and odd to reach the person', () =>
      notified('SendPulseBalanceLow', 'lowbal', 'firing').length > 0 && notified('SendPulseBalanceLow', 'odd', 'firing').length > 0, 30_000, 200);

    setBalance('lowbal', '1.50');
    await waitFor('the critical of lowbal to reach the person', () => notified('SendPulseBalanceCritical', 'lowbal', 'firing').length > 0, 30_000, 200);
    const inhibited = await waitFor('lowbal\'s warning held back by its critical', async () => {
      const alerts = await amAlerts(alertmanager.url);
      const warning = alertsNamed(alerts, 'SendPulseBalanceLow', 'lowbal');
      return warning.length === 1 && warning[0].status.state === 'suppressed' && alerts;
    }, 15_000, 200);
    // odd's warning is not touched by lowbal's critical (kube-prometheus-stack's rule compares namespace and alertname).
    expect(alertsNamed(inhibited, 'SendPulseBalanceLow', 'odd').map((a) => a.status.state)).toEqual(['active']);
    // One alert per account and rule, although two replicas export every account.
    expect(alertsNamed(inhibited, 'SendPulseBalanceLow').map((a) => a.labels.account).sort()).toEqual(['lowbal', 'odd']);
    const [critical] = alertsNamed(inhibited, 'SendPulseBalanceCritical');
    expect(alertsNamed(inhibited, 'SendPulseBalanceCritical')).toHaveLength(1);
    expect(critical.labels).toEqual({
      alertname: 'SendPulseBalanceCritical', severity: 'critical', sendpulse_rule: 'balance',
      account: 'lowbal', currency: 'USD', namespace: NAMESPACE, job: 'spm-sendpulse-monitor',
    });
    expect(critical.annotations).toEqual({
      summary: 'SendPulse account lowbal: balance 1.50 USD is below 2 USD',
      description: 'The main balance of SendPulse account lowbal is 1.50 USD, below the critical threshold of 2 USD. SendPulse\'s paid services stop when it runs out: top up the account.',
      runbook_url: 'https://github.com/sendpulse-monitor/sendpulse-monitor/blob/main/docs/runbooks.md#sendpulsebalancecritical',
    });

    const toppedUpAt = Date.now();
    setBalance('lowbal', '50.00');
    await waitFor('the resolved critical of lowbal', () => notified('SendPulseBalanceCritical', 'lowbal', 'resolved').length > 0, 30_000, 200);
    // Nothing about lowbal said "resolved" while its balance was still low.
    for (const name of ['SendPulseBalanceLow', 'SendPulseBalanceCritical']) {
      expect([name, notified(name, 'lowbal', 'resolved').filter((n) => n.at < toppedUpAt)]).toEqual([name, []]);
    }
    // What the person read about lowbal: the warning, then the critical (the warning no longer mentioned,
    // neither firing nor resolved, while the critical fires), then the end.
    const about = (n: WebhookReceiver['notifications'][number]) => n.alerts.filter((a) => a.labels.account === 'lowbal' && a.labels.sendpulse_rule === 'balance');
    const criticalAt = notified('SendPulseBalanceCritical', 'lowbal', 'firing')[0].at;
    expect(notified('SendPulseBalanceLow', 'lowbal', 'firing')[0].at).toBeLessThan(criticalAt);
    const whileCritical = person.notifications.filter((n) => n.at >= criticalAt && n.at < toppedUpAt).flatMap(about);
    expect(whileCritical.map((a) => `${a.status} ${a.labels.alertname}`)).toEqual(whileCritical.map(() => 'firing SendPulseBalanceCritical'));
    // 120 SMTP e-mails left against a warning of 1000: a warning, with the number in it.
    await waitFor('odd\'s SMTP warning to reach the person', () => notified('SendPulseSmtpEmailsLeftLow', 'odd', 'firing').length > 0, 15_000, 200);
    const smtp = alertsNamed(await amAlerts(alertmanager.url), 'SendPulseSmtpEmailsLeftLow');
    expect(smtp.map((a) => [a.labels.account, a.annotations.summary])).toEqual([['odd', 'SendPulse account odd: 120 SMTP e-mails left, below 1000']]);
    // odd's warning was never held back and never resolved.
    expect(samples.flatMap((s) => alertsNamed(s.alerts, 'SendPulseBalanceLow', 'odd')).filter((a) => a.status.state !== 'active')).toEqual([]);
    expect(notified('SendPulseBalanceLow', 'odd', 'resolved')).toEqual([]);
  }, 120_000);

  it('answers every dashboard query with data for a healthy account and a failing one, and no NaN', async () => {
    const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, 'grafana/dashboard.json'), 'utf8'));
    const panels: { title: string; targets?: { expr: string }[]; panels?: unknown[] }[] = [];
    // Each target of each panel, named by its panel and its letter (A, B, ...).
    const walk = (ps: typeof panels) => ps.forEach((p) => { panels.push(p); walk((p.panels ?? []) as typeof panels); });
    walk(dashboard.panels);
    const queries = panels.flatMap((p) => (p.targets ?? []).map((t, i) => ({ title: `${p.title} ${String.fromCharCode(65 + i)}`, expr: t.expr })));
    expect(queries.length).toBeGreaterThan(20);
    // badkey has been failing for a while (its credentials are rejected) after good polls; healthy is fine.
    await waitFor('badkey seen failing by Prometheus', async () => (await promQuery(prometheus.url, 'max by (account) (sendpulse_credentials_valid{account="badkey"}) == 0')).length === 1, 30_000, 500);
    const empty: string[] = [];
    for (const { title, expr } of queries) {
      const perAccount = expr.includes('$account');
      for (const account of perAccount ? ['healthy', 'badkey'] : ['any']) {
        const q = expr.replaceAll('$__rate_interval', '20s').replaceAll('$account', account);
        const result = await promQuery(prometheus.url, q);
        expect([title, account, result.filter((s) => !Number.isFinite(s.value))]).toEqual([title, account, []]);
        if (result.length === 0) empty.push(`${title} / ${account}`);
      }
    }
    // The only empty answer: no alert fires for a healthy account.
    expect(empty).toEqual(['Firing alerts A / healthy', 'Firing alerts B / healthy']);
    // The age of the data is shown even for an account that never had a good poll.
    const age = queries.find((q) => q.title === 'Age of the data A')!.expr.replaceAll('$account', 'neverok');
    expect((await promQuery(prometheus.url, age)).map((s) => s.metric.endpoint).sort()).toEqual(['balance', 'team', 'user_info']);
    // healthy's one token request is long past: without a filter its latency would be NaN.
    expect((await promQuery(prometheus.url, 'sum(sendpulse_api_request_duration_seconds_count{endpoint="oauth_token"})'))[0].value).toBeGreaterThan(0);
    // The account variable lists every account.
    const values = (await (await fetch(`${prometheus.url}/api/v1/label/account/values?match[]=sendpulse_up`)).json()) as { data: string[] };
    expect(values.data.sort()).toEqual([...ACCOUNTS].sort());
  }, 60_000);

  it('keeps the credentials alert firing through more than an hour of back-off (compressed), holds stale and down meanwhile, and resolves once the key works', async () => {
    // 70 s at 60x: the pauses went 1, 2, 4, 8, 16 s and then 30 s, as 1, 2, 4, 8, 16 and 30 minutes would.
    await waitFor('70 s of rejected credentials', () => Date.now() - badSince > 70_000, 80_000, 500);
    const tries = sim.requests({ account: 'badkey', since: badSince }).filter((r) => r.status === 401).map((r) => r.time);
    const bursts = tries.filter((t, i) => i === 0 || t - tries[i - 1] > 500);
    const gaps = bursts.slice(1).map((t, i) => t - bursts[i]);
    expect(Math.max(...gaps)).toBeGreaterThan(25_000);

    const firstSeen = samples.findIndex((s) => alertsNamed(s.alerts, 'SendPulseCredentialsFailing', 'badkey').length > 0);
    expect(firstSeen).toBeGreaterThanOrEqual(0);
    expect(samples[firstSeen].at - badSince).toBeLessThan(15_000);
    const since = samples.slice(firstSeen);
    for (const account of ['badkey', 'neverok']) {
      // Firing, as one alert, in every sample since it started: no gap while retries were 30 s apart.
      expect([account, since.filter((s) => alertsNamed(s.alerts, 'SendPulseCredentialsFailing', account).length !== 1).length]).toEqual([account, 0]);
      expect([account, notified('SendPulseCredentialsFailing', account, 'resolved')]).toEqual([account, []]);
      // The credentials alert says why: stale and down stay quiet.
      for (const held of ['SendPulseDataStale', 'SendPulseAccountDown']) {
        expect([account, held, samples.flatMap((s) => alertsNamed(s.alerts, held, account))]).toEqual([account, held, []]);
      }
    }
    const [alert] = alertsNamed(samples[samples.length - 1].alerts, 'SendPulseCredentialsFailing', 'badkey');
    expect(alert.annotations.summary).toBe('SendPulse account badkey: SendPulse rejects the API key or client secret');
    expect(alert.annotations.description).toContain('doubles up to 30s');
    expect(alert.labels.severity).toBe('critical');

    const fixedAt = Date.now();
    sim.clearFaults();
    sim.setFault({ kind: 'unauthorized', account: 'neverok' });
    await waitFor('the resolved credentials alert of badkey', () => notified('SendPulseCredentialsFailing', 'badkey', 'resolved').length > 0, 60_000, 500);
    expect(notified('SendPulseCredentialsFailing', 'badkey', 'resolved').every((n) => n.at > fixedAt)).toBe(true);
    expect(alertsNamed(await amAlerts(alertmanager.url), 'SendPulseCredentialsFailing', 'neverok')).toHaveLength(1);
  }, 150_000);
});
