import { z } from 'zod';
import { field, secretFile } from '../../config/schema-fields';
import type { Secret } from '../../config/secret';
import * as p from '../../config/value-parsers';
import type { Parser } from '../../config/value-parsers';
import { DeliveryRejectedError } from '../../errors';
import type { NotificationRecord } from '../alert-types';
import { KIND_NOTE, notificationRows, subjectOf } from '../format-notification';
import { defineChannel, exactlyOne, filterFields, HTTP_URL, oneOf, pickFilters, truncate, type ChannelFilters } from './channel';
import { jsonOf, postJson, secretsOfUrl, type HttpAnswer } from './http-post';

/** alerts.telegram: the bot token (a secret: it is the bot), the chat and the Bot API server. */
export interface TelegramConfig extends ChannelFilters {
  botToken: Secret;
  /** A chat id (-1001234567890 for a group or channel) or a public channel's @username. */
  chatId: number | string;
  /** Default https://api.telegram.org (or a local Bot API server). */
  apiUrl: string;
}

declare module '../../config/types' {
  interface ChannelConfigMap {
    telegram: TelegramConfig;
  }
}

// sendMessage's text is 1-4096 characters after entity parsing (core.telegram.org/bots/api#sendmessage).
const TEXT_MAX = 4096;
const SUBJECT_MAX = 1024;
const VALUE_MAX = 512;

/** A token as @BotFather issues it: `<bot id>:<secret>`; problems never quote it. */
const botToken: Parser<Secret> = (input) => {
  const t = p.secretText(input);
  if (!t.ok) return t;
  return /^\d+:[A-Za-z0-9_-]+$/.test(t.value.reveal()) ? t : { ok: false, problem: 'is not a bot token (the <digits>:<letters> token from @BotFather)' };
};

const chatId: Parser<number | string> = (input) => {
  if (typeof input === 'number' && Number.isSafeInteger(input)) return { ok: true, value: input };
  if (typeof input === 'string' && /^-?\d+$/.test(input) && Number.isSafeInteger(Number(input))) return { ok: true, value: Number(input) };
  if (typeof input === 'string' && /^@[A-Za-z][A-Za-z0-9_]{3,}$/.test(input)) return { ok: true, value: input };
  return { ok: false, problem: `${p.show(input)} is not a chat id (a number such as -1001234567890, or @channelname)` };
};

/** Escapes text for parse_mode HTML: <, > and & (and " inside attributes), the only escapes Telegram requires. */
export function escapeTelegram(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The characters Telegram counts: the text with tags dropped and entities decoded. */
export function telegramVisibleLength(html: string): number {
  return html.replace(/<[^>]*>/g, '').replace(/&(lt|gt|amp|quot);/g, '_').length;
}

/**
 * The sendMessage text in HTML parse mode, using only tags Telegram allows (b, i, pre, a): the
 * subject, the alert's sentence, its fields, recent readings and a dashboard link; under 4096
 * visible characters (recent readings, then trailing fields give way).
 */
export function telegramText(r: NotificationRecord, dashboardUrl?: string): string {
  const icon = r.kind === 'test' ? '🧪' : r.severity === 'critical' ? '🔴' : r.severity === 'warning' ? '🟠' : '✅';
  // Escaping comes after cutting, so an entity is never cut in half.
  const head = [`${icon} <b>${escapeTelegram(truncate(subjectOf(r), SUBJECT_MAX))}</b>`, `<i>${escapeTelegram(KIND_NOTE[r.kind])}</i>`, ''];
  const rows = notificationRows(r).filter(([k]) => k !== 'Status' && k !== 'Dashboard')
    .map(([k, v]) => `<b>${escapeTelegram(k)}:</b> ${escapeTelegram(truncate(v, VALUE_MAX))}`);
  const recent = r.recent.length > 0
    ? ['', '<b>Recent readings</b>', `<pre>${escapeTelegram(r.recent.map((pt) => `${new Date(pt.atMs).toISOString()}  ${pt.value}`).join('\n'))}</pre>`]
    : [];
  const link = dashboardUrl ? ['', `<a href="${escapeTelegram(dashboardUrl)}">Dashboard</a>`] : [];
  const render = () => [...head, ...rows, ...recent, ...link].join('\n');
  let text = render();
  if (telegramVisibleLength(text) > TEXT_MAX) recent.length = 0;
  while ((text = render()) && telegramVisibleLength(text) > TEXT_MAX && rows.length > 0) rows.pop();
  return text;
}

function telegramReason(a: HttpAnswer): string | undefined {
  const d = jsonOf(a)?.description;
  return typeof d === 'string' ? d : undefined;
}

/**
 * Telegram through the Bot API's sendMessage (HTML parse mode, link previews off). Errors are
 * `{ ok: false, error_code, description }` with the same HTTP status: 400 (chat not found, message
 * too long, can't parse entities), 401 Unauthorized (a wrong token), 403 (the bot was blocked or
 * removed) and 404 are rejections; 429 carries `parameters.retry_after` in seconds, which is honoured.
 */
export const telegram = defineChannel({
  name: 'telegram',
  schema: (baseDir: string) => z.strictObject({
    botToken: field(botToken).optional(),
    botTokenFile: secretFile(baseDir, botToken).optional(),
    chatId: field(chatId),
    apiUrl: field(p.url(HTTP_URL, false)).default('https://api.telegram.org'),
    ...filterFields(),
  }),
  checks: (raw, at, add) => exactlyOne(raw, 'botToken', 'botTokenFile', at, add),
  build: (raw): TelegramConfig => ({ botToken: oneOf(raw.botToken, raw.botTokenFile), chatId: raw.chatId, apiUrl: raw.apiUrl.replace(/\/+$/, ''), ...pickFilters(raw) }),
  async send(cfg, r, ctx) {
    const token = cfg.botToken.reveal();
    // The token is part of the path (https://api.telegram.org/bot<token>/sendMessage): the URL is a secret.
    const url = `${cfg.apiUrl}/bot${token}/sendMessage`;
    const answer = await postJson({
      channel: 'telegram', url, timeoutMs: ctx.timeoutMs, secrets: [token, ...secretsOfUrl(url)], reason: telegramReason,
      body: { chat_id: cfg.chatId, text: telegramText(r, ctx.dashboardUrl), parse_mode: 'HTML', link_preview_options: { is_disabled: true } },
      retryAfterFromBody: (a) => {
        const s = (jsonOf(a)?.parameters as { retry_after?: unknown } | undefined)?.retry_after;
        return typeof s === 'number' && s >= 0 ? s * 1000 : undefined;
      },
    });
    if (jsonOf(answer)?.ok !== true) throw new DeliveryRejectedError('telegram', `HTTP ${answer.status}: the answer is not {"ok":true,...}`, answer.status);
  },
});
