import { z } from 'zod';
import type { Secret } from '../../config/secret';
import type { NotificationRecord } from '../alert-types';
import { KIND_NOTE, notificationRows, subjectOf } from '../format-notification';
import { defineChannel, exactlyOne, filterFields, oneOf, pickFilters, truncate, urlFields, type ChannelFilters } from './channel';
import { jsonOf, postJson, secretsOfUrl, type HttpAnswer } from './http-post';

/** alerts.discord: a webhook URL (a secret: its last path segment is the webhook's token). */
export interface DiscordConfig extends ChannelFilters {
  url: Secret;
}

declare module '../../config/types' {
  interface ChannelConfigMap {
    discord: DiscordConfig;
  }
}

// Discord's embed limits (discord.com/developers/docs/resources/message#embed-object-embed-limits):
// title 256, description 4096, 25 fields, field name 256 and value 1024, footer 2048, and 6000
// characters over all of them together.
const TITLE_MAX = 256;
const DESCRIPTION_MAX = 4096;
const FIELDS_MAX = 25;
const FIELD_NAME_MAX = 256;
const FIELD_VALUE_MAX = 1024;
const TOTAL_MAX = 6000;

// Red, orange, green and grey, as Alertmanager's notify/discord (firing, resolved, other).
const COLOUR: Record<string, number> = { critical: 0x992d22, warning: 0xe67e22, ok: 0x2ecc71, test: 0x95a5a6 };

interface Embed {
  title: string;
  description: string;
  color: number;
  url?: string;
  timestamp: string;
  fields: { name: string; value: string; inline: boolean }[];
  footer: { text: string };
}

function embedLength(e: Embed): number {
  return e.title.length + e.description.length + e.footer.text.length + e.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
}

/** The execute-webhook body: one embed, coloured by severity, within Discord's limits; no mentions are parsed. */
export function discordMessage(r: NotificationRecord, dashboardUrl?: string): { embeds: Embed[]; allowed_mentions: { parse: string[] } } {
  const fields = notificationRows(r).filter(([k]) => k !== 'Status' && k !== 'Dashboard')
    .map(([k, v]) => ({ name: truncate(k, FIELD_NAME_MAX), value: truncate(v, FIELD_VALUE_MAX), inline: true }));
  if (r.recent.length > 0) {
    const lines = r.recent.map((p) => `${new Date(p.atMs).toISOString()}  ${p.value}`).join('\n');
    fields.push({ name: 'Recent readings', value: truncate(`\`\`\`\n${lines}\n\`\`\``, FIELD_VALUE_MAX), inline: false });
  }
  const embed: Embed = {
    title: truncate(subjectOf(r), TITLE_MAX),
    description: truncate(`${r.headline}\n${KIND_NOTE[r.kind]}`, DESCRIPTION_MAX),
    color: COLOUR[r.kind === 'test' ? 'test' : r.severity],
    timestamp: new Date(r.createdMs).toISOString(),
    fields: fields.slice(0, FIELDS_MAX),
    footer: { text: 'sendpulse-monitor' },
  };
  if (dashboardUrl) embed.url = dashboardUrl;
  // Over the total, the last fields (recent readings first) give way.
  while (embedLength(embed) > TOTAL_MAX && embed.fields.length > 0) embed.fields.pop();
  return { embeds: [embed], allowed_mentions: { parse: [] } };
}

/** Discord's error JSON as words: `Cannot send an empty message (code 50006)`. */
function discordReason(a: HttpAnswer): string | undefined {
  const j = jsonOf(a);
  if (!j || typeof j.message !== 'string') return undefined;
  return typeof j.code === 'number' && j.code !== 0 ? `${j.message} (code ${j.code})` : j.message;
}

/**
 * Discord webhooks (execute webhook): an embed coloured by severity, with the alert's fields.
 * Discord answers 204; errors are JSON `{ message, code }`: 400 (50006 empty message, 50035
 * invalid form body), 401 (50027 invalid webhook token), 404 (10015 unknown webhook) are
 * rejections; 429 carries `retry_after` in seconds (and Retry-After), which is honoured.
 */
export const discord = defineChannel({
  name: 'discord',
  schema: (baseDir: string) => z.strictObject({ ...urlFields(baseDir), ...filterFields() }),
  checks: (raw, at, add) => exactlyOne(raw, 'url', 'urlFile', at, add),
  build: (raw): DiscordConfig => ({ url: oneOf(raw.url, raw.urlFile), ...pickFilters(raw) }),
  async send(cfg, r, ctx) {
    const url = cfg.url.reveal();
    await postJson({
      channel: 'discord', url, body: discordMessage(r, ctx.dashboardUrl), timeoutMs: ctx.timeoutMs, secrets: secretsOfUrl(url),
      reason: discordReason,
      retryAfterFromBody: (a) => {
        const s = jsonOf(a)?.retry_after;
        return typeof s === 'number' && s >= 0 ? Math.ceil(s * 1000) : undefined;
      },
    });
  },
});
