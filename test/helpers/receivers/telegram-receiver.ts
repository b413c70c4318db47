import { objectOf, parseJson, startHttpReceiver, type Answer, type HttpReceiver } from './http-receiver';

/** A message the bot sent: the chat, the HTML as sent and the text users see. */
export interface TelegramPost {
  chatId: number | string;
  html: string;
  visible: string;
}

/** A Telegram Bot API receiver (sendMessage) and the messages it delivered. */
export interface TelegramReceiver extends HttpReceiver {
  /** What to configure as alerts.telegram.apiUrl. */
  readonly apiUrl: string;
  readonly token: string;
  readonly chatId: number;
  readonly posted: TelegramPost[];
  /** The next `times` calls get 429 with `parameters.retry_after` (whole seconds), as flood control does. */
  rateLimit(times: number, seconds: number): void;
}

// The tags of parse_mode HTML (core.telegram.org/bots/api#html-style).
const TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'tg-emoji', 'code', 'pre', 'blockquote']);

/**
 * Parses Telegram's HTML style: only its tags, properly nested; `<`, `>` and `&` outside tags only
 * as entities (&lt; &gt; &amp; &quot; or numeric). Returns the visible text or Telegram's complaint.
 */
export function parseTelegramHtml(html: string): { ok: true; visible: string } | { ok: false; description: string } {
  const bad = (what: string, at: number) => ({ ok: false as const, description: `Bad Request: can't parse entities: ${what} at byte offset ${Buffer.byteLength(html.slice(0, at))}` });
  const stack: string[] = [];
  let visible = '';
  let i = 0;
  while (i < html.length) {
    const c = html[i];
    if (c === '<') {
      const end = html.indexOf('>', i);
      if (end < 0) return bad('Unclosed start tag', i);
      const m = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-z-]+="[^"<>]*")*)\s*>$/.exec(html.slice(i, end + 1));
      if (!m) return bad('Unsupported start tag', i);
      const name = m[2].toLowerCase();
      if (!TAGS.has(name)) return bad(`Unsupported start tag "${name}"`, i);
      if (m[1]) {
        if (stack.pop() !== name) return bad(`Can't find end tag corresponding to start tag "${name}"`, i);
      } else {
        if (name === 'a' && !/\shref="[^"]+"/.test(m[3])) return bad('Can\'t find "href" attribute of tag "a"', i);
        stack.push(name);
      }
      i = end + 1;
    } else if (c === '&') {
      const m = /^&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);/.exec(html.slice(i));
      if (!m) return bad('Character \'&\' is reserved and must be escaped as "&amp;"', i);
      visible += m[1] === 'lt' ? '<' : m[1] === 'gt' ? '>' : m[1] === 'amp' ? '&' : m[1] === 'quot' ? '"' : String.fromCodePoint(Number(m[1].startsWith('#x') ? `0x${m[1].slice(2)}` : m[1].slice(1)));
      i += m[0].length;
    } else if (c === '>') {
      return bad('Character \'>\' is reserved and must be escaped as "&gt;"', i);
    } else {
      visible += c;
      i++;
    }
  }
  if (stack.length > 0) return bad(`Can't find end tag corresponding to start tag "${stack.at(-1)}"`, html.length);
  return { ok: true, visible };
}

const err = (code: number, description: string, extra: object = {}): Answer => ({ status: code, body: { ok: false, error_code: code, description, ...extra } });

/**
 * The Bot API's sendMessage as documented (core.telegram.org/bots/api): JSON `{ ok: true, result }`
 * or `{ ok: false, error_code, description }` with the same HTTP status: 401 Unauthorized for an
 * unknown token, 404 Not Found for another method or path, 400 "chat not found", "message text is
 * empty", "message is too long" (over 4096 characters after entity parsing) and "can't parse
 * entities" for HTML outside the allowed tags and escapes; 429 "Too Many Requests: retry after N"
 * with `parameters.retry_after`.
 */
export async function startTelegramReceiver(token = '123456789:AAFtelegramBotSecretToken_abcdefghij', chatId = -1001234567890): Promise<TelegramReceiver> {
  const posted: TelegramPost[] = [];
  let messageId = 0;
  const handle = (req: { method: string; path: string; text: string }): Answer => {
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.path);
    if (!m) return err(404, 'Not Found');
    if (m[1] !== token) return err(401, 'Unauthorized');
    if (m[2] !== 'sendMessage') return err(404, 'Not Found');
    const body = objectOf(parseJson(req.text));
    if (!body) return err(400, 'Bad Request: message text is empty');
    if (body.chat_id === undefined || body.chat_id === '') return err(400, 'Bad Request: chat_id is empty');
    if (String(body.chat_id) !== String(chatId)) return err(400, 'Bad Request: chat not found');
    if (typeof body.text !== 'string' || body.text.trim() === '') return err(400, 'Bad Request: message text is empty');
    let visible = body.text;
    if (body.parse_mode === 'HTML') {
      const parsed = parseTelegramHtml(body.text);
      if (!parsed.ok) return err(400, parsed.description);
      visible = parsed.visible;
    } else if (body.parse_mode !== undefined) {
      return err(400, `Bad Request: unsupported parse_mode "${String(body.parse_mode)}"`);
    }
    if (visible.trim() === '') return err(400, 'Bad Request: message text is empty');
    if (visible.length > 4096) return err(400, 'Bad Request: message is too long');
    posted.push({ chatId: body.chat_id as number | string, html: body.text, visible });
    return { status: 200, body: { ok: true, result: { message_id: ++messageId, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'supergroup' }, text: visible } } };
  };
  const r = await startHttpReceiver(handle);
  return Object.assign(r, {
    apiUrl: r.url,
    token,
    chatId,
    posted,
    rateLimit(times: number, seconds: number) {
      r.script(times, err(429, `Too Many Requests: retry after ${seconds}`, { parameters: { retry_after: seconds } }));
    },
  });
}
