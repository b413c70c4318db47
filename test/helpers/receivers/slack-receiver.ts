import { objectOf, parseJson, startHttpReceiver, type Answer, type HttpReceiver } from './http-receiver';

/** A message Slack would have posted. */
export interface SlackPost {
  text?: string;
  blocks?: Record<string, unknown>[];
}

/** A Slack incoming-webhook receiver and what it posted. */
export interface SlackReceiver extends HttpReceiver {
  /** The webhook URL Slack issued (https://hooks.slack.com/services/T.../B.../<secret>). */
  readonly hookUrl: string;
  readonly posted: SlackPost[];
  /** The next `times` posts are answered 429 with `Retry-After: seconds`, as Slack's rate limit (1 message a second per webhook). */
  rateLimit(times: number, seconds: number): void;
}

const BLOCK_TYPES = new Set(['header', 'section', 'context', 'divider', 'actions', 'image', 'rich_text']);

function text(o: unknown, max: number, types: string[]): boolean {
  const t = objectOf(o);
  return !!t && types.includes(String(t.type)) && typeof t.text === 'string' && t.text.length > 0 && t.text.length <= max;
}

/** Why Slack would refuse the blocks (`invalid_blocks`), or null when they are valid Block Kit within its limits. */
export function slackBlocksProblem(blocks: unknown): string | null {
  if (!Array.isArray(blocks)) return 'blocks is not an array';
  if (blocks.length > 50) return 'more than 50 blocks';
  for (const [i, raw] of blocks.entries()) {
    const b = objectOf(raw);
    if (!b || !BLOCK_TYPES.has(String(b.type))) return `block ${i}: unknown type`;
    if (b.type === 'header' && !text(b.text, 150, ['plain_text'])) return `block ${i}: header text must be plain_text of 1-150 characters`;
    if (b.type === 'section') {
      const fields = b.fields;
      if (b.text === undefined && fields === undefined) return `block ${i}: section needs text or fields`;
      if (b.text !== undefined && !text(b.text, 3000, ['mrkdwn', 'plain_text'])) return `block ${i}: section text must be 1-3000 characters`;
      if (fields !== undefined && (!Array.isArray(fields) || fields.length === 0 || fields.length > 10 || !fields.every((f) => text(f, 2000, ['mrkdwn', 'plain_text'])))) {
        return `block ${i}: section fields must be 1-10 texts of 1-2000 characters`;
      }
    }
    if (b.type === 'context') {
      const els = b.elements;
      if (!Array.isArray(els) || els.length === 0 || els.length > 10 || !els.every((e) => text(e, 3000, ['mrkdwn', 'plain_text']))) return `block ${i}: context needs 1-10 text elements`;
    }
  }
  return null;
}

/**
 * Slack's incoming webhook as documented (docs.slack.dev "Sending messages using incoming
 * webhooks", and the 2016 change to its error answers): 200 "ok"; 400 invalid_payload (not JSON),
 * no_text (neither text nor blocks), invalid_blocks; 404 no_service (unknown or revoked webhook);
 * 429 with Retry-After when rate limited. Errors are plain words in the body.
 */
export async function startSlackReceiver(secret = 'SlackHookSecret0123456789'): Promise<SlackReceiver> {
  const posted: SlackPost[] = [];
  const path = `/services/T0SPMTEST/B0SPMTEST/${secret}`;
  const handle = (req: { method: string; path: string; text: string; headers: Record<string, unknown> }): Answer => {
    if (req.method !== 'POST' || req.path !== path) return { status: 404, body: 'no_service' };
    const body = objectOf(parseJson(req.text));
    if (!body || !String(req.headers['content-type']).startsWith('application/json')) return { status: 400, body: 'invalid_payload' };
    if ((typeof body.text !== 'string' || body.text === '') && body.blocks === undefined && body.attachments === undefined) return { status: 400, body: 'no_text' };
    if (body.blocks !== undefined && slackBlocksProblem(body.blocks) !== null) return { status: 400, body: 'invalid_blocks' };
    posted.push(body as SlackPost);
    return { status: 200, body: 'ok' };
  };
  const r = await startHttpReceiver(handle);
  return Object.assign(r, {
    hookUrl: `${r.url}${path}`,
    posted,
    rateLimit(times: number, seconds: number) {
      r.script(times, { status: 429, headers: { 'retry-after': String(seconds) }, body: 'rate_limited' });
    },
  });
}
