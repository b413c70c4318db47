import { z } from 'zod';
import { field } from '../../config/schema-fields';
import type { Secret } from '../../config/secret';
import * as p from '../../config/value-parsers';
import { webhookPayload } from '../format-notification';
import { defineChannel, exactlyOne, filterFields, oneOf, pickFilters, urlFields, type ChannelFilters } from './channel';
import { postJson, secretsOfUrl } from './http-post';

/** An HTTP header name (RFC 9110 token). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** alerts.webhook: the URL (a secret) and extra headers (secrets too: they often carry a token). */
export interface WebhookConfig extends ChannelFilters {
  url: Secret;
  headers: Record<string, Secret>;
}

declare module '../../config/types' {
  interface ChannelConfigMap {
    webhook: WebhookConfig;
  }
}

/**
 * A generic JSON webhook: one POST per notification with the documented schema-version-1 body
 * (README, "Webhook JSON"). Any 2xx is delivered; a 4xx other than 429 is a rejection.
 */
export const webhook = defineChannel({
  name: 'webhook',
  schema: (baseDir: string) => z.strictObject({
    ...urlFields(baseDir),
    headers: z.record(z.string(), field(p.secretText)).default({}),
    ...filterFields(),
  }),
  checks(raw, at, add) {
    exactlyOne(raw, 'url', 'urlFile', at, add);
    const headers = raw.headers !== null && typeof raw.headers === 'object' ? Object.keys(raw.headers) : [];
    for (const header of headers) {
      if (!HEADER_NAME.test(header)) add([...at, 'headers'], `${p.show(header)} is not a valid HTTP header name`);
    }
  },
  build: (raw): WebhookConfig => ({ url: oneOf(raw.url, raw.urlFile), headers: raw.headers, ...pickFilters(raw) }),
  async send(cfg, r, ctx) {
    const url = cfg.url.reveal();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(cfg.headers)) headers[k.toLowerCase()] = v.reveal();
    await postJson({ channel: 'webhook', url, headers, body: webhookPayload(r, ctx.dashboardUrl), timeoutMs: ctx.timeoutMs,
      secrets: [...secretsOfUrl(url), ...Object.values(headers).flatMap((v) => [v, ...v.split(/\s+/).filter((w) => w.length >= 8)])] });
  },
});
