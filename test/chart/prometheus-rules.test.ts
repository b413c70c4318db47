import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { ALERT_RULES, VALUE_RULES } from '../../src/alerts/rules';
import { VALUES_CASES, find, helm, render, ROOT, ruleGroups, type AlertRule, type RuleGroup } from './helm';

const RULES_VALUES = path.join(__dirname, 'rules-test-values.yaml');

function promtool(args: string[], cwd: string): { status: number; out: string } {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

const alertsOf = (groups: RuleGroup[]): AlertRule[] => groups.flatMap((g) => g.rules).filter((r) => r.alert);
/** The alerts about the monitor itself and its Redis, not about an account: they aggregate by namespace and job only. */
const PROCESS_ALERTS = ['SendPulseMonitorAbsent', 'SendPulseMonitorRedisDataLost', 'SendPulseMonitorRedisEvicting'];

let dir: string;
beforeAll(() => {
  helm(['version']);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spm-rules-'));
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('PrometheusRule', () => {
  it('is accepted by promtool check rules (lint included), with default, everything-on and every-rule values', () => {
    for (const groups of [ruleGroups(VALUES_CASES.defaults), ruleGroups(VALUES_CASES['everything on']), ruleGroups(RULES_VALUES)]) {
      fs.writeFileSync(path.join(dir, 'check.yaml'), stringify({ groups }));
      const r = promtool(['check', 'rules', 'check.yaml'], dir);
      expect(r.out).toContain('SUCCESS');
      expect(r.status).toBe(0);
    }
  });

  it('passes its promtool unit tests: every alert at its threshold and not past it, warning to critical without a gap, credentials through hours of back-off', () => {
    fs.writeFileSync(path.join(dir, 'rules.yaml'), stringify({ groups: ruleGroups(RULES_VALUES) }));
    fs.copyFileSync(path.join(__dirname, 'rules-test.yaml'), path.join(dir, 'rules-test.yaml'));
    const r = promtool(['test', 'rules', 'rules-test.yaml'], dir);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  }, 60_000);

  it('has a unit test case for every alert, both firing and not firing', () => {
    const alerts = new Set(alertsOf(ruleGroups(RULES_VALUES)).map((r) => r.alert));
    expect(alerts.size).toBe(22);
    const tests = parse(fs.readFileSync(path.join(__dirname, 'rules-test.yaml'), 'utf8')).tests as {
      alert_rule_test: { alertname: string; exp_alerts: { exp_labels: { severity?: string } }[] }[];
    }[];
    const cases = tests.flatMap((t) => t.alert_rule_test);
    for (const alert of alerts) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect([alert, mine.some((c) => c.exp_alerts.length === 0)]).toEqual([alert, true]);
      expect([alert, mine.some((c) => c.exp_alerts.length > 0)]).toEqual([alert, true]);
    }
  });

  it('has a twin of every rule of the monitor (src/alerts/rules), named as the rule index says, comparing as the rule compares: below <, above >=', () => {
    const alerts = alertsOf(ruleGroups(RULES_VALUES));
    for (const rule of ALERT_RULES) {
      const mine = alerts.filter((r) => r.labels.sendpulse_rule === rule.name);
      expect([rule.name, mine.some((r) => r.alert === rule.alertnames.warning)]).toEqual([rule.name, true]);
      if (rule.kind !== 'value') continue;
      expect([rule.name, mine.filter((r) => r.alert === rule.alertnames.warning).every((r) => r.labels.severity === 'warning')]).toEqual([rule.name, true]);
      expect([rule.name, mine.filter((r) => r.alert === rule.alertnames.critical).every((r) => r.labels.severity === 'critical')]).toEqual([rule.name, true]);
      expect([rule.name, mine.every((r) => r.alert === rule.alertnames.warning || r.alert === rule.alertnames.critical)]).toEqual([rule.name, true]);
      if (rule.name === 'runway') continue; // compares the time left, computed from a slope
      const op = rule.direction === 'below' ? ' < ' : ' >= ';
      for (const r of mine) {
        expect([rule.name, r.expr.includes(op)]).toEqual([rule.name, true]);
        // No second bound: a disjoint range would resolve the warning when the value gets worse.
        expect([rule.name, /(<|>=?|<=)\s*[\d.]+\s*(<|>=?|<=)/.test(r.expr)]).toEqual([rule.name, false]);
      }
    }
    // and the chart knows every rule: it writes each one into the monitor's config
    const config = parse(find(render(RULES_VALUES), 'ConfigMap', 'sendpulse-monitor')!.data['config.yaml']);
    expect(Object.keys(config.alerts.rules).sort()).toEqual(ALERT_RULES.map((r) => r.name).sort());
    const sev = (name: string) => alerts.filter((r) => r.alert === name).map((r) => r.expr);
    expect(sev('SendPulseBalanceLow')[0]).toBe('min by (namespace, job, account, currency) (sendpulse_balance{job="spm-sendpulse-monitor", namespace="monitoring", account!~"uah", kind="main"}) < 10');
    expect(sev('SendPulseSubscribersNearLimit')[0]).toMatch(/ >= 0\.9$/);
    // a level written as a percentage is that fraction of the plan; 500Mb is 500 × 2^20 bytes
    expect(sev('SendPulseSmtpEmailsLeftLow')).toContain('min by (namespace, job, account) (sendpulse_smtp_emails_left{job="spm-sendpulse-monitor", namespace="monitoring", account="smtppct"}) < 0.2 * max by (namespace, job, account) (sendpulse_smtp_emails_limit{job="spm-sendpulse-monitor", namespace="monitoring", account="smtppct"})');
    expect(sev('SendPulseSmtpTrafficLow')[0]).toMatch(/ < 524288000$/);
    expect(VALUE_RULES.length).toBe(7);
  });

  it('keeps namespace, job and account through every aggregation, so alerts of different accounts never look alike to Alertmanager', () => {
    for (const r of alertsOf(ruleGroups(RULES_VALUES)).filter((a) => !PROCESS_ALERTS.includes(a.alert))) {
      const bys = [...r.expr.matchAll(/\b(?:by|on) \(([^)]*)\)/g)].map((m) => m[1]).filter((b) => !/^namespace, job$/.test(b));
      expect([r.alert, bys.length > 0]).toEqual([r.alert, true]);
      for (const b of bys) expect([r.alert, b.startsWith('namespace, job, account')]).toEqual([r.alert, true]);
    }
  });

  it('names warning and critical alerts apart, so kube-prometheus-stack\'s default inhibit rule (equal: namespace, alertname) never lets one account silence another', () => {
    const alerts = alertsOf(ruleGroups(RULES_VALUES));
    for (const name of new Set(alerts.map((a) => a.alert))) {
      const severities = new Set(alerts.filter((a) => a.alert === name).map((a) => a.labels.severity));
      expect([name, severities.size]).toEqual([name, 1]);
    }
  });

  it('gives every alert a summary and description with the account and the value, and a runbook_url to a section of docs/runbooks.md', () => {
    const runbooks = fs.readFileSync(path.join(ROOT, 'docs/runbooks.md'), 'utf8');
    const anchors = new Set([...runbooks.matchAll(/^## (\S+)$/gm)].map((m) => m[1].toLowerCase()));
    for (const r of alertsOf(ruleGroups(RULES_VALUES))) {
      const { summary, description, runbook_url: runbook } = r.annotations;
      expect([r.alert, runbook]).toEqual([r.alert, `https://github.com/sendpulse-monitor/sendpulse-monitor/blob/main/docs/runbooks.md#${r.alert.toLowerCase()}`]);
      expect([r.alert, anchors.has(r.alert.toLowerCase())]).toEqual([r.alert, true]);
      expect([r.alert, r.annotations.dashboard]).toEqual([r.alert, 'https://grafana.example.com/d/sendpulse-monitor']);
      if (PROCESS_ALERTS.includes(r.alert)) continue;
      for (const text of [summary, description]) expect([r.alert, text.includes('{{ $labels.account }}')]).toEqual([r.alert, true]);
      if (r.labels.sendpulse_rule && !['credentials', 'accountDown'].includes(r.labels.sendpulse_rule)) {
        expect([r.alert, description.includes('$value')]).toEqual([r.alert, true]);
      }
    }
  });

  it('renders the thresholds of the monitor\'s config into the rules: the same values, per-account levels as their own expressions, rules turned off left out', () => {
    const ms = render(undefined, [
      'prometheusRule.enabled=true', 'accounts[0].name=main', 'accounts[0].apiKey=k', 'accounts[1].name=uah', 'accounts[1].apiKey=k',
      'accounts[1].alerts.rules.balance.warning=400', 'accounts[2].name=quiet', 'accounts[2].apiKey=k', 'accounts[2].alerts.rules.balance=false',
      'config.alerts.rules.balance.warning=25', 'config.alerts.rules.balance.critical=5', 'config.alerts.rules.tariffExpiry.warning=14d',
      'config.alerts.rules.stale=false',
    ]);
    const config = parse(find(ms, 'ConfigMap', 'sendpulse-monitor')!.data['config.yaml']);
    expect(config.alerts.rules).toEqual({
      balance: { warning: 25, critical: 5 }, emailsLeft: false, smtpEmailsLeft: false, smtpTraffic: false, tariffExpiry: { warning: '14d', critical: '1d' },
      subscribers: false, runway: false, credentials: true, stale: false, unreadable: true,
    });
    const alerts = alertsOf(find(ms, 'PrometheusRule')!.spec.groups);
    expect(alerts.filter((r) => r.alert === 'SendPulseBalanceLow').map((r) => [r.expr, r.labels.account])).toEqual([
      ['min by (namespace, job, account, currency) (sendpulse_balance{job="spm-sendpulse-monitor", namespace="monitoring", account!~"uah|quiet", kind="main"}) < 25', undefined],
      // uah inherits the global critical, as the monitor merges it
      ['min by (namespace, job, account, currency) (sendpulse_balance{job="spm-sendpulse-monitor", namespace="monitoring", account="uah", kind="main"}) < 400', 'uah'],
    ]);
    expect(alerts.filter((r) => r.alert === 'SendPulseBalanceCritical').map((r) => r.expr.split(' < ')[1])).toEqual(['5', '5']);
    expect(alerts.find((r) => r.alert === 'SendPulseTariffExpiring')!.expr).toMatch(new RegExp(`< ${14 * 86400}$`));
    const names = alerts.map((r) => r.alert);
    for (const off of ['SendPulseEmailsLeftLow', 'SendPulseSubscribersNearLimit', 'SendPulseRunwayShort', 'SendPulseDataStale']) expect(names).not.toContain(off);
    expect(names).toContain('SendPulseCredentialsFailing');
  });

  it('adds additionalLabels to the object, additionalRuleLabels to every alert and additionalRules as a group of their own', () => {
    const pr = find(render(VALUES_CASES.defaults, [
      'prometheusRule.enabled=true', 'prometheusRule.additionalLabels.release=kps', 'prometheusRule.additionalRuleLabels.team=mail',
      'prometheusRule.additionalRules[0].alert=MyOwn', 'prometheusRule.additionalRules[0].expr=vector(1)',
    ]), 'PrometheusRule')!;
    expect(pr.metadata.labels.release).toBe('kps');
    const groups: RuleGroup[] = pr.spec.groups;
    for (const r of alertsOf(groups.filter((g) => g.name !== 'sendpulse-monitor.additional'))) expect([r.alert, r.labels.team]).toEqual([r.alert, 'mail']);
    expect(groups.find((g) => g.name === 'sendpulse-monitor.additional')!.rules).toEqual([{ alert: 'MyOwn', expr: 'vector(1)' }]);
  });

  it('ships the inhibit rule that goes with it, as an AlertmanagerConfig when asked', () => {
    const amc = find(render(VALUES_CASES.defaults, ['alertmanagerConfig.enabled=true']), 'AlertmanagerConfig')!;
    expect(amc.spec.inhibitRules).toEqual([{
      sourceMatch: [{ name: 'severity', matchType: '=', value: 'critical' }, { name: 'sendpulse_rule', matchType: '=~', value: '.+' }],
      targetMatch: [{ name: 'severity', matchType: '=', value: 'warning' }, { name: 'sendpulse_rule', matchType: '=~', value: '.+' }],
      equal: ['namespace', 'job', 'sendpulse_rule', 'account', 'currency', 'service', 'tariff'],
    }]);
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
    const used = [...dashboardExprs(), ...alertsOf(ruleGroups(RULES_VALUES)).map((r) => r.expr)].flatMap(metricNames);
    expect(used.length).toBeGreaterThan(30);
    expect([...new Set(used)].filter((m) => !EXPORTED.has(m))).toEqual([]);
  });

  it('shows the balance, e-mails left, SMTP credits and traffic, tariff ends, subscribers, team, alerts, unreadable fields, API codes and budget', () => {
    const used = new Set(dashboardExprs().flatMap(metricNames));
    for (const m of [
      'sendpulse_balance', 'sendpulse_emails_left', 'sendpulse_tariff_expiry_timestamp_seconds', 'sendpulse_email_subscribers',
      'sendpulse_email_subscribers_limit', 'sendpulse_team_members', 'sendpulse_alert_firing', 'sendpulse_api_requests_total',
      'sendpulse_api_budget_used', 'sendpulse_api_budget_limit', 'sendpulse_up', 'sendpulse_smtp_emails_left', 'sendpulse_smtp_emails_limit',
      'sendpulse_smtp_traffic_left_bytes', 'sendpulse_smtp_traffic_limit_bytes', 'sendpulse_response_unreadable_fields',
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
    const accountQueries = dashboardExprs().filter((e) => !e.startsWith('label_values(') && /sendpulse_(balance|emails_left|tariff|email_subscribers|team|up|alert_firing|api_budget|smtp|response_unreadable)/.test(e));
    for (const e of accountQueries) expect([e, e.includes('account=~"$account"')]).toEqual([e, true]);
  });
});
