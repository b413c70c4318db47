import { z } from 'zod';
import type { Secret } from '../../config/secret';
import type { NotificationRecord } from '../alert-types';
import { KIND_NOTE, notificationRows, subjectOf } from '../format-notification';
import { defineChannel, exactlyOne, filterFields, oneOf, pickFilters, truncate, urlFields, type ChannelFilters } from './channel';
import { postJson, secretsOfUrl } from './http-post';

/** alerts.slack: an incoming-webhook URL (a secret: whoever has it can post to the channel). */
export interface SlackConfig extends ChannelFilters {
  url: Secret;
}

declare module '../../config/types' {
  interface ChannelConfigMap {
    slack: SlackConfig;
  }
}

// Slack's documented Block Kit limits (docs.slack.dev, "Blocks"): 50 blocks a message, a header's
// plain_text 150 characters, a section's text 3000, at most 10 section fields of 2000 each.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELDS_MAX = 10;
const FIELD_MAX = 2000;

/** Slack's mrkdwn needs only &, < and > escaped (docs.slack.dev, "Formatting text for app surfaces"). */
export function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const ICON: Record<string, string> = { critical: ':red_circle:', warning: ':large_orange_circle:', ok: ':white_check_mark:' };

/** The incoming-webhook body: `text` (the notification's one-line fallback) and Block Kit blocks within Slack's limits. */
export function slackMessage(r: NotificationRecord, dashboardUrl?: string): { text: string; blocks: unknown[] } {
  const subject = subjectOf(r);
  const icon = r.kind === 'test' ? ':test_tube:' : ICON[r.severity];
  const rows = notificationRows(r).filter(([k]) => k !== 'Status');
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${subject}`, HEADER_MAX), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`${icon} *${escapeSlack(r.headline)}*\n${escapeSlack(KIND_NOTE[r.kind])}`, SECTION_MAX) } },
    { type: 'section', fields: rows.slice(0, FIELDS_MAX).map(([k, v]) => ({ type: 'mrkdwn', text: truncate(`*${k}*\n${escapeSlack(v)}`, FIELD_MAX) })) },
  ];
  if (r.recent.length > 0) {
    const lines = r.recent.map((p) => `${new Date(p.atMs).toISOString()}  ${p.value}`).join('\n');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*Recent readings*\n\`\`\`${lines}\`\`\``, SECTION_MAX) } });
  }
  const context = ['sendpulse-monitor'];
  if (dashboardUrl) context.push(`<${escapeSlack(dashboardUrl)}|Dashboard>`);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  const link = dashboardUrl ? ` <${escapeSlack(dashboardUrl)}|dashboard>` : '';
  return { text: `${escapeSlack(subject)} (${KIND_NOTE[r.kind]})${link}`, blocks };
}

/**
 * Slack incoming webhooks: a Block Kit message (header, the alert's sentence, its fields, recent
 * readings, a dashboard link) with a one-line `text` that notifications and old clients show.
 * Slack answers errors as plain words: 400 invalid_blocks / no_text / invalid_payload, 403
 * action_prohibited, 404 no_service / channel_not_found, 410 channel_is_archived (rejections),
 * 429 with Retry-After (retried then), 5xx (retried).
 */
export const slack = defineChannel({
  name: 'slack',
  schema: (baseDir: string) => z.strictObject({ ...urlFields(baseDir), ...filterFields() }),
  checks: (raw, at, add) => exactlyOne(raw, 'url', 'urlFile', at, add),
  build: (raw): SlackConfig => ({ url: oneOf(raw.url, raw.urlFile), ...pickFilters(raw) }),
  async send(cfg, r, ctx) {
    const url = cfg.url.reveal();
    await postJson({ channel: 'slack', url, body: slackMessage(r, ctx.dashboardUrl), timeoutMs: ctx.timeoutMs, secrets: secretsOfUrl(url) });
  },
});
