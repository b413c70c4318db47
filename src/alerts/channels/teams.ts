import { z } from 'zod';
import type { Secret } from '../../config/secret';
import type { NotificationRecord } from '../alert-types';
import { KIND_NOTE, notificationRows, subjectOf } from '../format-notification';
import { defineChannel, exactlyOne, filterFields, oneOf, pickFilters, truncate, urlFields, type ChannelFilters } from './channel';
import { jsonOf, postJson, secretsOfUrl, type HttpAnswer } from './http-post';

/** alerts.teams: a Teams Workflows webhook URL (a secret: its `sig` query parameter signs every post). */
export interface TeamsConfig extends ChannelFilters {
  url: Secret;
}

declare module '../../config/types' {
  interface ChannelConfigMap {
    teams: TeamsConfig;
  }
}

// Teams posts nothing for a card over 28 KB (learn.microsoft.com, "Format cards in Teams"); the
// workflow accepts the request all the same, so the card is kept well under.
const CARD_MAX_BYTES = 24_000;
const TEXT_MAX = 2000;

// Adaptive Card TextBlock colours (adaptivecards.io schema): Attention is red, Warning amber, Good green.
const COLOUR: Record<string, string> = { critical: 'Attention', warning: 'Warning', ok: 'Good', test: 'Accent' };

/**
 * Adaptive Card TextBlocks and facts read a Markdown subset (bold, italics, links, lists): its
 * emphasis characters are backslash-escaped, so an account named `my_shop_eu` is not shown in
 * italics (microsoft/AdaptiveCards#5590: Teams honours the escapes). Brackets stay: our texts
 * never hold the `](` of a link.
 */
export function escapeTeams(s: string): string {
  return s.replace(/[\\*_]/g, (c) => `\\${c}`);
}

/**
 * The Workflows "message" body: one attachment of contentType application/vnd.microsoft.card.adaptive
 * holding an Adaptive Card 1.4 (heading coloured by severity, the alert's sentence, a FactSet, recent
 * readings, a dashboard button), as the "Post to a channel when a webhook request is received"
 * template expects.
 */
export function teamsMessage(r: NotificationRecord, dashboardUrl?: string): Record<string, unknown> {
  const rows = notificationRows(r).filter(([k]) => k !== 'Status' && k !== 'Dashboard');
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: escapeTeams(truncate(subjectOf(r), TEXT_MAX)), weight: 'Bolder', size: 'Medium', wrap: true, style: 'heading',
      color: COLOUR[r.kind === 'test' ? 'test' : r.severity] },
    { type: 'TextBlock', text: escapeTeams(truncate(`${r.headline} (${KIND_NOTE[r.kind]})`, TEXT_MAX)), wrap: true },
    { type: 'FactSet', facts: rows.map(([title, value]) => ({ title, value: escapeTeams(truncate(value, TEXT_MAX)) })) },
  ];
  if (r.recent.length > 0) {
    body.push({ type: 'TextBlock', text: 'Recent readings', weight: 'Bolder', wrap: true, spacing: 'Medium' });
    body.push({ type: 'FactSet', facts: r.recent.map((p) => ({ title: new Date(p.atMs).toISOString(), value: String(p.value) })) });
  }
  const card: Record<string, unknown> = {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4', body,
    msteams: { width: 'Full' },
  };
  if (dashboardUrl) card.actions = [{ type: 'Action.OpenUrl', title: 'Dashboard', url: dashboardUrl }];
  const message = { type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card }] };
  // Recent readings are the first to go when a card would be too large.
  if (Buffer.byteLength(JSON.stringify(message)) > CARD_MAX_BYTES) card.body = body.slice(0, 3);
  return message;
}

/** Workflows (Logic Apps) errors are `{ error: { code, message } }`. */
function teamsReason(a: HttpAnswer): string | undefined {
  const e = jsonOf(a)?.error as { code?: unknown; message?: unknown } | undefined;
  if (!e) return undefined;
  return [e.code, e.message].filter((x) => typeof x === 'string').join(': ') || undefined;
}

/**
 * Microsoft Teams through a Workflows webhook: an Adaptive Card. The workflow answers 202 as soon
 * as it took the request (what the card becomes happens later, unseen by us), 4xx for a wrong or
 * disabled workflow or signature (rejections) and 429 with Retry-After when throttled.
 */
export const teams = defineChannel({
  name: 'teams',
  schema: (baseDir: string) => z.strictObject({ ...urlFields(baseDir), ...filterFields() }),
  checks: (raw, at, add) => exactlyOne(raw, 'url', 'urlFile', at, add),
  build: (raw): TeamsConfig => ({ url: oneOf(raw.url, raw.urlFile), ...pickFilters(raw) }),
  async send(cfg, r, ctx) {
    const url = cfg.url.reveal();
    await postJson({ channel: 'teams', url, body: teamsMessage(r, ctx.dashboardUrl), timeoutMs: ctx.timeoutMs, secrets: secretsOfUrl(url), reason: teamsReason });
  },
});
