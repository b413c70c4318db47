import { z } from 'zod';
import { field, secretFile } from '../../config/schema-fields';
import type { Secret } from '../../config/secret';
import * as p from '../../config/value-parsers';
import type { Parser } from '../../config/value-parsers';
import { DeliveryFailedError, DeliveryRejectedError } from '../../errors';
import { childLogger } from '../../logger';
import type { NotificationRecord, Severity } from '../alert-types';
import { alertAnnotations, endsAhead, postable, RESERVED_LABELS, TEST_ALERTNAME, type PostableAlert } from '../alertmanager-alerts';
import { AlertmanagerStore, type PostedAlert } from '../alertmanager-store';
import { defineChannel, filterFields, HTTP_URL, pickFilters, type ChannelFilters, type SendContext } from './channel';
import { postJson } from './http-post';

const log = childLogger({ component: 'alertmanager' });
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

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
