import type { NotificationRecord } from './alert-types';
import { formatDuration } from './describe-alert';

/** A notification rendered for e-mail. */
export interface FormattedNotification {
  subject: string;
  text: string;
  html: string;
}

/** The JSON body POSTed to the webhook (schema version 1, documented in the README, "Webhook JSON"). */
export interface WebhookPayload {
  version: 1;
  id: string;
  status: 'firing' | 'resolved' | 'test';
  kind: NotificationRecord['kind'];
  severity: NotificationRecord['severity'];
  previousSeverity: NotificationRecord['previousSeverity'];
  account: string;
  alert: NotificationRecord['rule'];
  service: string;
  value: number | null;
  valueText: string;
  threshold: number | null;
  thresholdText: string;
  since: string | null;
  at: string;
  runwaySeconds: number | null;
  recentReadings: { at: string; value: number }[];
  dashboardUrl: string | null;
  /** The account's status page, when `server.publicUrl` is set. */
  accountUrl: string | null;
  summary: string;
  /** Slack-compatible text (incoming webhooks show it as the message). */
  text: string;
}

/** Why a notification was sent, in words ("started firing", "got worse", ...). */
export const KIND_NOTE: Record<NotificationRecord['kind'], string> = {
  firing: 'started firing', escalated: 'got worse', deescalated: 'got better but still fires',
  reminder: 'still firing (reminder)', resolved: 'resolved', test: 'test notification from sendpulse-monitor test-alert',
};

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** `[FIRING:critical] main: balance 1.50 USD is below 2 USD`, `[RESOLVED] main: balance 50.00 USD`, `[TEST] ...`. */
export function subjectOf(r: NotificationRecord): string {
  const tag = r.kind === 'test' ? '[TEST]' : r.severity === 'ok' ? '[RESOLVED]' : `[FIRING:${r.severity}]`;
  return `${tag} ${r.account}: ${r.headline}`;
}

/** `firing`, `resolved` or `test`: the status every channel shows. */
export function statusOf(r: NotificationRecord): 'firing' | 'resolved' | 'test' {
  return r.kind === 'test' ? 'test' : r.severity === 'ok' ? 'resolved' : 'firing';
}

/** The label/value rows every channel shows (Account, Alert, ..., Dashboard when given), in order. */
export function notificationRows(r: NotificationRecord, dashboardUrl?: string): [string, string][] {
  const out: [string, string][] = [
    ['Account', r.account], ['Alert', r.rule], ['Service', r.service], ['Severity', r.severity],
    ['Status', KIND_NOTE[r.kind]], ['Value', r.valueText],
  ];
  if (r.thresholdText) out.push(['Threshold', r.thresholdText]);
  if (r.sinceMs !== null) out.push(['Firing since', iso(r.sinceMs) as string]);
  out.push(['At', iso(r.createdMs) as string]);
  if (r.runwayMs !== null) out.push(['Runway', Number.isFinite(r.runwayMs) ? `${formatDuration(r.runwayMs)} at the recent rate` : 'not being used up']);
  if (r.accountUrl) out.push(['Status page', r.accountUrl]);
  if (dashboardUrl) out.push(['Dashboard', dashboardUrl]);
  return out;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** The e-mail: subject, a plain-text body and the same as HTML. */
export function formatNotification(r: NotificationRecord, dashboardUrl?: string): FormattedNotification {
  const subject = subjectOf(r);
  const table = notificationRows(r, dashboardUrl);
  const recent = r.recent.map((p) => `${new Date(p.atMs).toISOString()}  ${p.value}`);
  const text = [subject, '', ...table.map(([k, v]) => `${(k + ':').padEnd(14)}${v}`),
    ...(recent.length ? ['', 'Recent readings:', ...recent.map((l) => `  ${l}`)] : []),
    '', '-- sendpulse-monitor'].join('\n');
  const cell = (k: string, v: string) => `<tr><th align="left">${escapeHtml(k)}</th><td>${
    k === 'Dashboard' || k === 'Status page' ? `<a href="${escapeHtml(v)}">${escapeHtml(v)}</a>` : escapeHtml(v)}</td></tr>`;
  const html = `<!doctype html><html><body><h2>${escapeHtml(subject)}</h2><table>${table.map(([k, v]) => cell(k, v)).join('')}</table>${
    recent.length ? `<h3>Recent readings</h3><table>${r.recent.map((p) => `<tr><td>${new Date(p.atMs).toISOString()}</td><td>${p.value}</td></tr>`).join('')}</table>` : ''
  }<p><small>sendpulse-monitor</small></p></body></html>`;
  return { subject, text, html };
}

/** The webhook JSON for a notification. */
export function webhookPayload(r: NotificationRecord, dashboardUrl?: string): WebhookPayload {
  const subject = subjectOf(r);
  return {
    version: 1, id: r.id, status: statusOf(r),
    kind: r.kind, severity: r.severity, previousSeverity: r.previousSeverity,
    account: r.account, alert: r.rule, service: r.service,
    value: r.value !== null && Number.isFinite(r.value) ? r.value : null, valueText: r.valueText,
    threshold: r.threshold !== null && Number.isFinite(r.threshold) ? r.threshold : null, thresholdText: r.thresholdText,
    since: iso(r.sinceMs), at: iso(r.createdMs) as string,
    runwaySeconds: r.runwayMs !== null && Number.isFinite(r.runwayMs) ? Math.round(r.runwayMs / 1000) : null,
    recentReadings: r.recent.map((p) => ({ at: new Date(p.atMs).toISOString(), value: p.value })),
    dashboardUrl: dashboardUrl ?? null,
    accountUrl: r.accountUrl ?? null,
    summary: subject,
    text: `${subject} (${KIND_NOTE[r.kind]})${r.accountUrl ? ` <${r.accountUrl}|status page>` : ''}${dashboardUrl ? ` <${dashboardUrl}|dashboard>` : ''}`,
  };
}
