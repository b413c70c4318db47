import { objectOf, parseJson, startHttpReceiver, type Answer, type HttpReceiver } from './http-receiver';

/** A Discord embed as posted. */
export interface DiscordEmbed {
  title?: string;
  description?: string;
  url?: string;
  color?: number;
  timestamp?: string;
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string };
}

/** A Discord webhook receiver and the messages it posted. */
export interface DiscordReceiver extends HttpReceiver {
  /** https://discord.com/api/webhooks/<id>/<token>: the token is the credential. */
  readonly hookUrl: string;
  readonly posted: { content?: string; embeds?: DiscordEmbed[] }[];
  /** The next `times` posts are answered 429 with `retry_after` (seconds, a float) in the JSON and in Retry-After. */
  rateLimit(times: number, seconds: number): void;
}

const invalidForm = (errors: Record<string, unknown>): Answer => ({ status: 400, body: { code: 50035, errors, message: 'Invalid Form Body' } });
const tooLong = (max: number) => ({ _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: `Must be ${max} or fewer in length.` }] });

/** Why Discord would refuse an embed (50035 Invalid Form Body), as its error tree, or null (discord.com/developers/docs, "Embed Limits"). */
export function embedProblem(e: DiscordEmbed): Record<string, unknown> | null {
  const len = (s: unknown) => (typeof s === 'string' ? s.length : 0);
  if (len(e.title) > 256) return { title: tooLong(256) };
  if (len(e.description) > 4096) return { description: tooLong(4096) };
  if ((e.fields?.length ?? 0) > 25) return { fields: tooLong(25) };
  for (const [i, f] of (e.fields ?? []).entries()) {
    if (len(f.name) === 0 || len(f.value) === 0) return { fields: { [i]: { _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }] } } };
    if (len(f.name) > 256) return { fields: { [i]: { name: tooLong(256) } } };
    if (len(f.value) > 1024) return { fields: { [i]: { value: tooLong(1024) } } };
  }
  if (len(e.footer?.text) > 2048) return { footer: { text: tooLong(2048) } };
  if (e.url !== undefined && !/^https?:\/\/\S+$/.test(e.url)) return { url: { _errors: [{ code: 'URL_TYPE_INVALID_URL', message: 'Not a well formed URL.' }] } };
  if (e.color !== undefined && (!Number.isInteger(e.color) || e.color < 0 || e.color > 0xffffff)) return { color: { _errors: [{ code: 'NUMBER_TYPE_MAX', message: 'int value should be less than or equal to 16777215.' }] } };
  if (e.timestamp !== undefined && Number.isNaN(Date.parse(e.timestamp))) return { timestamp: { _errors: [{ code: 'DATE_TYPE_PARSE', message: 'Could not parse date' }] } };
  return null;
}

/**
 * Discord's execute-webhook endpoint as documented: 204 on success; JSON errors `{ message, code }`:
 * 404 10015 Unknown Webhook, 401 50027 Invalid Webhook Token, 400 50109 invalid JSON, 400 50006
 * "Cannot send an empty message" (neither content nor embeds), 400 50035 "Invalid Form Body" past
 * a limit (content 2000; 10 embeds; title 256, description 4096, 25 fields of 256/1024, footer
 * 2048, 6000 characters over all embeds); 429 with `retry_after` seconds and Retry-After.
 */
export async function startDiscordReceiver(id = '1234567890123456789', token = 'DiscordHookToken-abcdefghijklmnop'): Promise<DiscordReceiver> {
  const posted: DiscordReceiver['posted'] = [];
  const handle = (req: { method: string; path: string; text: string }): Answer => {
    const m = /^\/api\/webhooks\/([^/]+)\/([^/]+)$/.exec(req.path);
    if (req.method !== 'POST' || !m || m[1] !== id) return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } };
    if (m[2] !== token) return { status: 401, body: { message: 'Invalid Webhook Token', code: 50027 } };
    const body = objectOf(parseJson(req.text));
    if (!body) return { status: 400, body: { message: 'The request body contains invalid JSON.', code: 50109 } };
    const content = typeof body.content === 'string' ? body.content : '';
    const embeds = Array.isArray(body.embeds) ? (body.embeds as DiscordEmbed[]) : [];
    if (content.trim() === '' && embeds.length === 0) return { status: 400, body: { message: 'Cannot send an empty message', code: 50006 } };
    if (content.length > 2000) return invalidForm({ content: tooLong(2000) });
    if (embeds.length > 10) return invalidForm({ embeds: tooLong(10) });
    let total = 0;
    for (const [i, e] of embeds.entries()) {
      const problem = embedProblem(e);
      if (problem) return invalidForm({ embeds: { [i]: problem } });
      total += (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0)
        + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
    }
    if (total > 6000) return invalidForm({ embeds: { _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED', message: 'Embed size exceeds maximum size of 6000' }] } });
    posted.push({ content: body.content as string | undefined, embeds });
    return { status: 204 };
  };
  const r = await startHttpReceiver(handle);
  return Object.assign(r, {
    hookUrl: `${r.url}/api/webhooks/${id}/${token}`,
    posted,
    rateLimit(times: number, seconds: number) {
      r.script(times, { status: 429, headers: { 'retry-after': String(Math.ceil(seconds)), 'x-ratelimit-scope': 'user' },
        body: { message: 'You are being rate limited.', retry_after: seconds, global: false } });
    },
  });
}
