import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { VALUES_CASES, find, helm, render, ROOT } from './helm';

/** The rule groups of the chart's PrometheusRule, as a Prometheus rule file would hold them. */
function ruleGroups(set: string[] = ['prometheusRule.enabled=true']): { name: string; rules: { alert: string; expr: string }[] }[] {
  return find(render(undefined, set), 'PrometheusRule')!.spec.groups;
}

function promtool(args: string[], cwd: string): { status: number; out: string } {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

let dir: string;
beforeAll(() => {
  helm(['version']);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spm-rules-'));
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('PrometheusRule', () => {
  it('is accepted by promtool check rules, with default and with everything-on values', () => {
    for (const groups of [ruleGroups(), find(render(VALUES_CASES['everything on']), 'PrometheusRule')!.spec.groups]) {
      fs.writeFileSync(path.join(dir, 'check.yaml'), stringify({ groups }));
      const r = promtool(['check', 'rules', 'check.yaml'], dir);
      expect(r.out).toContain('SUCCESS');
      expect(r.status).toBe(0);
    }
  });

  it('passes its promtool unit tests: every alert fires at its threshold and stays quiet otherwise', () => {
    // A 12h runway window: see the note at the top of rules-test.yaml.
    fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups: ruleGroups(['prometheusRule.enabled=true', 'prometheusRule.rules.runway.window=12h']) }));
    fs.copyFileSync(path.join(__dirname, 'rules-test.yaml'), path.join(dir, 'rules-test.yaml'));
    const r = promtool(['test', 'rules', 'rules-test.yaml'], dir);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('has a unit test case for every alert, both firing and not firing', () => {
    const alerts = new Set(ruleGroups().flatMap((g) => g.rules.map((r) => r.alert)));
    expect(alerts.size).toBe(10);
    const tests = parse(fs.readFileSync(path.join(__dirname, 'rules-test.yaml'), 'utf8')).tests as {
      alert_rule_test: { alertname: string; exp_alerts: { exp_labels: { severity?: string } }[] }[];
    }[];
    const cases = tests.flatMap((t) => t.alert_rule_test);
    for (const alert of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect([alert, mine.some((c) => c.exp_alerts.length === 0)]).toEqual([alert, true]);
      expect([alert, mine.some((c) => c.exp_alerts.length > 0)]).toEqual([alert, true]);
    }
    // the two-level rules are tested at both severities
    for (const alert of ['SendPulseBalanceLow', 'SendPulseEmailsLeftLow', 'SendPulseTariffExpiring', 'SendPulseSubscribersNearLimit', 'SendPulseRunwayShort']) {
      const sev = new Set(cases.filter((c) => c.alertname === alert).flatMap((c) => c.exp_alerts.map((a) => a.exp_labels.severity)));
      expect([alert, [...sev].sort()]).toEqual([alert, ['critical', 'warning']]);
    }
  });

  it('takes its thresholds from values and leaves out disabled rules', () => {
    const groups = ruleGroups([
      'prometheusRule.enabled=true',
      'prometheusRule.rules.balance.warning=25',
      'prometheusRule.rules.balance.critical=5',
      'prometheusRule.rules.tariffExpiry.warningDays=14',
      'prometheusRule.rules.runway.enabled=false',
    ]);
    const rules = groups.flatMap((g) => g.rules);
    expect(rules.filter((r) => r.alert === 'SendPulseBalanceLow').map((r) => r.expr)).toEqual([
      'min by (account, currency) (sendpulse_balance{kind="main"}) < 25 >= 5',
      'min by (account, currency) (sendpulse_balance{kind="main"}) < 5',
    ]);
    expect(rules.find((r) => r.alert === 'SendPulseTariffExpiring')!.expr).toContain(`< ${14 * 86400} >=`);
    expect(rules.map((r) => r.alert)).not.toContain('SendPulseRunwayShort');
  });
});

/** Metric names the monitor exports: test/integration/monitor-metrics.test.ts checks this list against a live /metrics. */
const EXPORTED = new Set(
  fs.readFileSync(path.join(ROOT, 'test/fixtures/metrics/exported-metrics.txt'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean),
);

/** The sendpulse_* metric names a PromQL expression reads, with histogram suffixes mapped to the histogram. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\bsendpulse_[a-zA-Z0-9_:]+/g)].map(([m]) => {
    const base = m.replace(/_(bucket|sum|count)$/, '');
    return base !== m && EXPORTED.has(base) ? base : m;
  });
}

/** Every PromQL expression of the dashboard, with Grafana's variables replaced so promtool can parse it. */
function dashboardExprs(): string[] {
  const d = JSON.parse(fs.readFileSync(path.join(ROOT, 'grafana/dashboard.json'), 'utf8'));
  const exprs: string[] = [];
  const walk = (ps: { targets?: { expr: string }[]; panels?: unknown[] }[]) =>
    ps.forEach((p) => {
      (p.targets ?? []).forEach((t) => exprs.push(t.expr));
      walk((p.panels ?? []) as never);
    });
  walk(d.panels);
  d.templating.list.forEach((v: { query?: { query?: string } }) => v.query?.query && exprs.push(v.query.query));
  return exprs;
}

describe('dashboard and rules', () => {
  it('use only metrics the monitor exports', () => {
    const used = [...dashboardExprs(), ...ruleGroups().flatMap((g) => g.rules.map((r) => r.expr))].flatMap(metricNames);
    expect(used.length).toBeGreaterThan(30);
    expect([...new Set(used)].filter((m) => !EXPORTED.has(m))).toEqual([]);
  });

  it('shows the balance, e-mails left, tariff ends, subscribers, team, alerts, API codes and budget', () => {
    const used = new Set(dashboardExprs().flatMap(metricNames));
    for (const m of [
      'sendpulse_balance', 'sendpulse_emails_left', 'sendpulse_tariff_expiry_timestamp_seconds', 'sendpulse_email_subscribers',
      'sendpulse_email_subscribers_limit', 'sendpulse_team_members', 'sendpulse_alert_firing', 'sendpulse_api_requests_total',
      'sendpulse_api_budget_used', 'sendpulse_api_budget_limit', 'sendpulse_up',
    ]) expect([m, used.has(m)]).toEqual([m, true]);
  });

  it('has dashboard queries that are all valid PromQL (checked by promtool as recording rules)', () => {
    const rules = dashboardExprs()
      .filter((e) => !e.startsWith('label_values('))
      .map((e, i) => ({ record: `dashboard:query_${i}`, expr: e.replaceAll('$__rate_interval', '5m').replaceAll('$account', '.+') }));
    fs.writeFileSync(path.join(dir, 'dashboard-queries.yaml'), stringify({ groups: [{ name: 'dashboard', rules }] }));
    const r = promtool(['check', 'rules', 'dashboard-queries.yaml'], dir);
    expect(r.out).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it('has an account template variable and every per-account query filters on it', () => {
    const d = JSON.parse(fs.readFileSync(path.join(ROOT, 'grafana/dashboard.json'), 'utf8'));
    expect(d.templating.list.map((v: { name: string }) => v.name)).toEqual(['datasource', 'account']);
    const accountQueries = dashboardExprs().filter((e) => !e.startsWith('label_values(') && /sendpulse_(balance|emails_left|tariff|email_subscribers|team|up|alert_firing|api_budget)/.test(e));
    for (const e of accountQueries) expect([e, e.includes('account=~"$account"')]).toEqual([e, true]);
  });
});
