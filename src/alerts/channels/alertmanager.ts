import { z } from 'zod';
import { field, secretFile } from '../../config/schema-fields';
import type { Secret } from '../../config/secret';
import * as p from '../../config/value-parsers';
import type { Parser } from '../../config/value-parsers';
import { DeliveryFailedError, DeliveryRejectedError } from '../../errors';
import { childLogger } from '../../logger';
import type { NotificationRecord, RuleName, Severity } from '../alert-types';
import { AlertmanagerStore, type PostedAlert } from '../alertmanager-store';
import { defineChannel, filterFields, HTTP_URL, pickFilters, type ChannelFilters, type SendContext } from './channel';
import { postJson } from './http-post';

const log = childLogger({ component: 'alertmanager' });

/** alerts.alertmanager: where to post, how to log in, how often to re-post, and extra labels. */
export interface AlertmanagerConfig extends ChannelFilters {
  /** Every Alertmanager of an HA group (each gets every alert, as Prometheus does). */
  urls: string[];
  auth?: { kind: 'basic'; username: string; password: Secret } | { kind: 'bearer'; token: Secret };
  /** How often firing alerts are posted again, ms; default 30 s. Their endsAt is 4 periods ahead. */
  resendInterval: number;
  /** Extra labels on every alert (team, env, ...). */
  labels: Record<string, string>;
}

declare module '../../config/types' {
  interface ChannelConfigMap {
    alertmanager: AlertmanagerConfig;
  }
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
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

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
export function alertLabels(cfg: AlertmanagerConfig, a: { account: string; rule: RuleName; service: string; severity: string }): Record<string, string> {
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
export function postable(cfg: AlertmanagerConfig, a: PostedAlert, endsMs: number, dashboardUrl?: string): PostableAlert {
  const out: PostableAlert = {
    labels: alertLabels(cfg, a), annotations: a.annotations,
    startsAt: new Date(Math.min(a.startsMs, endsMs)).toISOString(), endsAt: new Date(endsMs).toISOString(),
  };
  if (dashboardUrl) out.generatorURL = dashboardUrl;
  return out;
}

/** How far ahead a firing alert's endsAt is: 4 periods, as Prometheus does, so a missed re-post or two do not resolve it. */
export function endsAhead(cfg: AlertmanagerConfig, now: number): number {
  return now + 4 * cfg.resendInterval;
}

/** The result of posting to every Alertmanager: how many took it, and why the others did not. */
export interface PostOutcome {
  delivered: number;
  errors: (DeliveryFailedError | DeliveryRejectedError)[];
}

/** POSTs the alerts to every configured Alertmanager at once; never throws (see PostOutcome). */
export async function postToAll(cfg: AlertmanagerConfig, alerts: PostableAlert[], timeoutMs: number): Promise<PostOutcome> {
  const headers: Record<string, string> = {};
  const secrets: string[] = [];
  if (cfg.auth?.kind === 'basic') {
    const pw = cfg.auth.password.reveal();
    headers.authorization = `Basic ${Buffer.from(`${cfg.auth.username}:${pw}`).toString('base64')}`;
    secrets.push(pw, headers.authorization.slice(6));
  } else if (cfg.auth?.kind === 'bearer') {
    const token = cfg.auth.token.reveal();
    headers.authorization = `Bearer ${token}`;
    secrets.push(token);
  }
  const results = await Promise.allSettled(cfg.urls.map((base) => postJson({
    channel: 'alertmanager', url: `${base}/api/v2/alerts`, headers, body: alerts, timeoutMs, secrets,
    // Alertmanager's errors are a JSON string ("start time must be before end time") or text.
    reason: (a) => {
      try {
        const v: unknown = JSON.parse(a.text);
        return typeof v === 'string' ? v : undefined;
      } catch {
        return undefined;
      }
    },
  }).catch((err: unknown) => {
    throw err instanceof DeliveryFailedError || err instanceof DeliveryRejectedError ? withUrl(err, base) : err;
  })));
  const errors: PostOutcome['errors'] = [];
  for (const r of results) {
    if (r.status === 'rejected') errors.push(r.reason as DeliveryFailedError | DeliveryRejectedError);
  }
  return { delivered: results.length - errors.length, errors };
}

// The Alertmanager's URL names which one failed (its address is not a secret: credentials are in basicAuth or a token file).
function withUrl(err: DeliveryFailedError | DeliveryRejectedError, base: string): DeliveryFailedError | DeliveryRejectedError {
  const reason = `${base}: ${err.reason}`;
  return err instanceof DeliveryRejectedError ? new DeliveryRejectedError('alertmanager', reason, err.status)
    : new DeliveryFailedError('alertmanager', reason, { status: err.status, retryAfterMs: err.retryAfterMs });
}

/** Delivered when one Alertmanager took the alerts (the others are told on the next re-post); otherwise the combined error. */
export function outcomeOrThrow(o: PostOutcome): void {
  for (const e of o.errors) if (o.delivered > 0) log.warn({ error: e.message }, 'an Alertmanager did not take the alerts; the others did');
  if (o.delivered > 0 || o.errors.length === 0) return;
  const reason = o.errors.map((e) => e.reason).join('; ');
  if (!o.errors.some((e) => e instanceof DeliveryFailedError)) throw new DeliveryRejectedError('alertmanager', reason);
  const waits = o.errors.map((e) => (e instanceof DeliveryFailedError ? e.retryAfterMs : undefined)).filter((w): w is number => w !== undefined);
  throw new DeliveryFailedError('alertmanager', reason, { retryAfterMs: waits.length > 0 ? Math.min(...waits) : undefined });
}

/** The alerts one notification means: the alert at its severity, and the end of the one at the severity it left. */
function notificationAlerts(cfg: AlertmanagerConfig, r: NotificationRecord, ctx: SendContext): { alerts: PostableAlert[]; keep?: PostedAlert } {
  const now = ctx.now();
  const startsMs = r.sinceMs ?? r.createdMs;
  if (r.kind === 'test') {
    const labels = { ...cfg.labels, alertname: TEST_ALERTNAME, account: r.account, service: 'test', severity: 'info' };
    return { alerts: [{ labels, annotations: alertAnnotations(r, ctx.dashboardUrl), startsAt: new Date(now).toISOString(), endsAt: new Date(now + 300_000).toISOString() }] };
  }
  const alerts: PostableAlert[] = [];
  const was = r.previousSeverity;
  const base = { account: r.account, rule: r.rule, service: r.service, startsMs, annotations: alertAnnotations(r, ctx.dashboardUrl) };
  if (was !== 'ok' && was !== r.severity) alerts.push(postable(cfg, { ...base, severity: was }, now, ctx.dashboardUrl));
  if (r.severity === 'ok') return { alerts };
  const keep: PostedAlert = { ...base, severity: r.severity as Exclude<Severity, 'ok'> };
  alerts.push(postable(cfg, keep, endsAhead(cfg, now), ctx.dashboardUrl));
  return { alerts, keep };
}

/** A URL of an Alertmanager: http(s), no credentials in it (they go in basicAuth or bearerTokenFile). */
const amUrl: Parser<string> = (input) => {
  const u = p.url(HTTP_URL, false)(input);
  if (!u.ok) return u;
  const parsed = new URL(u.value);
  if (parsed.username || parsed.password) return { ok: false, problem: 'must not carry a user or password: use basicAuth or bearerTokenFile' };
  return { ok: true, value: u.value.replace(/\/+$/, '') };
};

/**
 * Alertmanager as a sink: each notification posts its alert to every configured Alertmanager
 * (API v2, POST /api/v2/alerts) with endsAt 4 periods ahead, or endsAt now when it resolved; and
 * every `resendInterval` one replica (a Redis lease) posts every firing alert again
 * (../alertmanager-sink.ts), as Prometheus does, since Alertmanager resolves what is not re-sent.
 */
export const alertmanager = defineChannel({
  name: 'alertmanager',
  sink: true,
  schema: (baseDir: string) => z.strictObject({
    urls: z.array(field(amUrl)).min(1),
    basicAuth: z.strictObject({
      username: field(p.text()),
      password: field(p.secretText).optional(),
      passwordFile: secretFile(baseDir).optional(),
    }).optional(),
    bearerTokenFile: secretFile(baseDir).optional(),
    resendInterval: field(p.duration(1000)).default(30_000),
    labels: z.record(z.string(), field(p.text())).default({}),
    ...filterFields(),
  }),
  checks(raw, at, add) {
    if (raw.basicAuth !== undefined && raw.bearerTokenFile !== undefined) add(at, 'set only one of basicAuth and bearerTokenFile');
    const basic = raw.basicAuth !== null && typeof raw.basicAuth === 'object' ? (raw.basicAuth as Record<string, unknown>) : undefined;
    if (basic && basic.password !== undefined && basic.passwordFile !== undefined) add([...at, 'basicAuth'], 'set only one of password and passwordFile');
    if (basic && basic.password === undefined && basic.passwordFile === undefined) add([...at, 'basicAuth', 'password'], 'is required (or passwordFile)');
    const labels = raw.labels !== null && typeof raw.labels === 'object' ? Object.keys(raw.labels) : [];
    for (const name of labels) {
      if (!LABEL_NAME.test(name) || name.startsWith('__')) add([...at, 'labels'], `${p.show(name)} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)`);
      else if (RESERVED_LABELS.includes(name)) add([...at, 'labels', name], `is set by the monitor (${RESERVED_LABELS.join(', ')} are)`);
    }
  },
  build(raw): AlertmanagerConfig {
    const cfg: AlertmanagerConfig = { urls: raw.urls, resendInterval: raw.resendInterval, labels: raw.labels, ...pickFilters(raw) };
    const basic = raw.basicAuth;
    const password = basic?.password ?? basic?.passwordFile;
    if (basic && password) cfg.auth = { kind: 'basic', username: basic.username, password };
    else if (raw.bearerTokenFile) cfg.auth = { kind: 'bearer', token: raw.bearerTokenFile };
    return cfg;
  },
  async send(cfg, r, ctx) {
    const { alerts, keep } = notificationAlerts(cfg, r, ctx);
    // Kept before posting: if every Alertmanager is down now, the periodic re-post has the texts.
    if (ctx.redis && r.kind !== 'test') {
      const store = new AlertmanagerStore(ctx.redis.client, ctx.redis.prefix);
      if (keep) await store.put(keep);
      else await store.remove([AlertmanagerStore.field(r.account, r.rule, r.service)]);
    }
    if (alerts.length === 0) return;
    outcomeOrThrow(await postToAll(cfg, alerts, ctx.timeoutMs));
  },
});
