import type { NotificationRecord, RuleName } from './alert-types';
import type { PostedAlert } from './alertmanager-store';
import { ruleNamed } from './rules';

/**
 * What the monitor's alerts look like to Alertmanager (API v2): labels that match the Helm chart's
 * PrometheusRule, annotations, and the endsAt that keeps a firing alert alive between re-posts.
 */

/** The parts of alerts.alertmanager these need: extra labels and the re-post period (ms). */
export interface AlertShape {
  labels: Record<string, string>;
  resendInterval: number;
}

/**
 * The `alertname` of a rule at a severity: its twin in the Helm chart's PrometheusRule
 * (src/alerts/rules/, helm/sendpulse-monitor/rules/alerts.yaml), so routes, silences and inhibit rules
 * written for one path fit the other. Warning and critical have names of their own (see rule-def.ts).
 */
export function alertnameOf(rule: RuleName, severity: string): string {
  const names = ruleNamed(rule)?.alertnames;
  if (!names) return `SendPulse${rule.charAt(0).toUpperCase()}${rule.slice(1)}`;
  return severity === 'critical' ? names.critical : names.warning;
}

/** The `description` annotation: when the rule fires, from its README row. */
export function descriptionOf(rule: RuleName): string {
  const fires = ruleNamed(rule)?.doc.fires.replace(/[`*]/g, '');
  if (!fires) return `The ${rule} alert of sendpulse-monitor.`;
  return `Fires when ${/(below|above)$/.test(fires) ? `${fires} its threshold` : fires}.`;
}

/** The alert name of `test-alert`. */
export const TEST_ALERTNAME = 'SendPulseMonitorTest';
/** Labels the monitor sets itself; configured labels may not replace them. */
export const RESERVED_LABELS = ['alertname', 'account', 'service', 'severity', 'endpoint', 'sendpulse_rule'];

/** A postable alert of Alertmanager's API v2 (POST /api/v2/alerts). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/**
 * The labels of one alert, as the chart's PrometheusRule labels its twin: alertname (by severity),
 * account, service, severity, `sendpulse_rule` (what the chart's inhibit rule keys on: a critical
 * holds back the warning of the same rule and account), `endpoint` for stale, and the configured ones.
 */
export function alertLabels(cfg: AlertShape, a: { account: string; rule: RuleName; service: string; severity: string }): Record<string, string> {
  const own: Record<string, string> = {
    alertname: alertnameOf(a.rule, a.severity), account: a.account, service: a.service, severity: a.severity, sendpulse_rule: a.rule,
  };
  if (a.rule === 'stale') own.endpoint = a.service;
  return { ...cfg.labels, ...own };
}

/** The annotations of a notification: summary, description, value and the dashboard link when set. */
export function alertAnnotations(r: NotificationRecord, dashboardUrl?: string): Record<string, string> {
  const out: Record<string, string> = {
    summary: `SendPulse account ${r.account}: ${r.headline}`,
    description: r.kind === 'test' ? 'A test alert from sendpulse-monitor test-alert; it ends by itself after 5 minutes.' : descriptionOf(r.rule),
    value: r.valueText,
  };
  if (dashboardUrl) out.dashboard = dashboardUrl;
  return out;
}

/** The annotations of a firing alert the monitor has no notification text for (it only knows rule and severity). */
export function bareAnnotations(a: { account: string; rule: RuleName; service: string; severity: string }, dashboardUrl?: string): Record<string, string> {
  const out: Record<string, string> = { summary: `SendPulse account ${a.account}: ${a.rule} (${a.service}) is ${a.severity}`, description: descriptionOf(a.rule) };
  if (dashboardUrl) out.dashboard = dashboardUrl;
  return out;
}

/** A kept alert as Alertmanager takes it, ending at `endsMs` (ahead while firing, now to resolve). */
export function postable(cfg: AlertShape, a: PostedAlert, endsMs: number, dashboardUrl?: string): PostableAlert {
  const out: PostableAlert = {
    labels: alertLabels(cfg, a), annotations: a.annotations,
    startsAt: new Date(Math.min(a.startsMs, endsMs)).toISOString(), endsAt: new Date(endsMs).toISOString(),
  };
  if (dashboardUrl) out.generatorURL = dashboardUrl;
  return out;
}

/** How far ahead a firing alert's endsAt is: 4 periods, as Prometheus does, so a missed re-post or two do not resolve it. */
export function endsAhead(cfg: AlertShape, now: number): number {
  return now + 4 * cfg.resendInterval;
}
