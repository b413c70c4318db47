import type { NotificationRecord, RuleName } from './alert-types';
import type { PostedAlert } from './alertmanager-store';

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
 * The alert names of the Helm chart's PrometheusRule (helm/sendpulse-monitor/templates/prometheusrule.yaml),
 * so routes, silences and inhibit rules written for one path fit the other; and the rule's description.
 */
export const RULE_ALERTS: Record<RuleName, { alertname: string; description: string }> = {
  balance: { alertname: 'SendPulseBalanceLow', description: 'The main balance of the SendPulse account is low; paid services stop when it runs out.' },
  emailsLeft: { alertname: 'SendPulseEmailsLeftLow', description: 'Campaigns stop going out when the e-mail credits of the tariff run out.' },
  tariffExpiry: { alertname: 'SendPulseTariffExpiring', description: 'The tariff ends soon or has ended; renew it or turn on auto-renewal.' },
  subscribers: { alertname: 'SendPulseSubscribersNearLimit', description: 'New subscribers are refused once the tariff\'s maximum is reached.' },
  runway: { alertname: 'SendPulseRunwayShort', description: 'At the recent rate the balance or the e-mail credits run out soon; top up or change the tariff.' },
  credentials: { alertname: 'SendPulseCredentialsFailing', description: 'SendPulse rejects the API key or client secret; check the account\'s credentials.' },
  stale: { alertname: 'SendPulseDataStale', description: 'The monitor keeps running but this endpoint\'s data is not being refreshed.' },
};

/** The alert name of `test-alert`. */
export const TEST_ALERTNAME = 'SendPulseMonitorTest';
/** Labels the monitor sets itself; configured labels may not replace them. */
export const RESERVED_LABELS = ['alertname', 'account', 'service', 'severity', 'endpoint', 'resource'];

/** A postable alert of Alertmanager's API v2 (POST /api/v2/alerts). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

/**
 * The labels of one alert: alertname, account, service, severity, the chart's own extra label
 * (`endpoint` for stale, `resource` for runway) and the configured ones.
 */
export function alertLabels(cfg: AlertShape, a: { account: string; rule: RuleName; service: string; severity: string }): Record<string, string> {
  const own: Record<string, string> = { alertname: RULE_ALERTS[a.rule].alertname, account: a.account, service: a.service, severity: a.severity };
  if (a.rule === 'stale') own.endpoint = a.service;
  if (a.rule === 'runway') own.resource = a.service === 'email' ? 'emails_left' : a.service;
  return { ...cfg.labels, ...own };
}

/** The annotations of a notification: summary, description, value and the dashboard link when set. */
export function alertAnnotations(r: NotificationRecord, dashboardUrl?: string): Record<string, string> {
  const out: Record<string, string> = {
    summary: `SendPulse account ${r.account}: ${r.headline}`,
    description: r.kind === 'test' ? 'A test alert from sendpulse-monitor test-alert; it ends by itself after 5 minutes.' : RULE_ALERTS[r.rule].description,
    value: r.valueText,
  };
  if (dashboardUrl) out.dashboard = dashboardUrl;
  return out;
}

/** The annotations of a firing alert the monitor has no notification text for (it only knows rule and severity). */
export function bareAnnotations(a: { account: string; rule: RuleName; service: string; severity: string }, dashboardUrl?: string): Record<string, string> {
  const out: Record<string, string> = { summary: `SendPulse account ${a.account}: ${a.rule} (${a.service}) is ${a.severity}`, description: RULE_ALERTS[a.rule].description };
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
