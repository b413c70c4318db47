import { objectOf, parseJson, startHttpReceiver, type Answer, type HttpReceiver } from './http-receiver';

/** A Teams Workflows webhook receiver: what the workflow posted to the channel, and its runs that posted nothing. */
export interface TeamsReceiver extends HttpReceiver {
  /** The workflow's URL; its `sig` query parameter is the credential. */
  readonly hookUrl: string;
  /** Adaptive Cards the workflow posted. */
  readonly posted: Record<string, unknown>[];
  /** Requests the workflow accepted (202) but whose run posted nothing, and why. */
  readonly failedRuns: string[];
  /** The next `times` requests are throttled: 429 with Retry-After. */
  rateLimit(times: number, seconds: number): void;
}

const CARD_MAX_BYTES = 28 * 1024;

/** Why the "Post to a channel when a webhook request is received" flow would post nothing, or null when it posts the card. */
export function teamsRunProblem(body: unknown): string | null {
  const b = objectOf(body);
  if (!b || b.type !== 'message' || !Array.isArray(b.attachments)) return 'the body is not a message with attachments';
  const cards = b.attachments.map(objectOf).filter((a) => a?.contentType === 'application/vnd.microsoft.card.adaptive');
  if (cards.length === 0) return 'no attachment of contentType application/vnd.microsoft.card.adaptive';
  for (const a of cards) {
    const c = objectOf(a?.content);
    if (!c || c.type !== 'AdaptiveCard' || typeof c.version !== 'string' || !Array.isArray(c.body)) return 'the attachment is not an AdaptiveCard with a version and a body';
    if (Buffer.byteLength(JSON.stringify(c)) > CARD_MAX_BYTES) return 'the card is larger than 28 KB';
    for (const el of c.body.map(objectOf)) {
      if (!el || typeof el.type !== 'string') return 'a body element has no type';
      if (el.type === 'TextBlock' && typeof el.text !== 'string') return 'a TextBlock has no text';
      if (el.type === 'FactSet' && !(Array.isArray(el.facts) && el.facts.every((f) => typeof objectOf(f)?.title === 'string' && typeof objectOf(f)?.value === 'string'))) return 'a FactSet has facts without title or value';
    }
  }
  return null;
}

/**
 * A Microsoft Teams Workflows webhook (a Power Automate / Logic Apps HTTP trigger) as it behaves:
 * it answers 202 to any JSON POST with the right signature and runs the flow afterwards, which
 * posts the Adaptive Card attachments of a `message` body and nothing otherwise (the sender never
 * learns). Errors are `{ error: { code, message } }`: 404 WorkflowNotFound, 401 for a wrong
 * signature, 400 InvalidRequestContent for a body that is not JSON, 429 with Retry-After.
 */
export async function startTeamsReceiver(sig = 'TeamsWorkflowSig_0123456789abcdef'): Promise<TeamsReceiver> {
  const posted: Record<string, unknown>[] = [];
  const failedRuns: string[] = [];
  const path = '/workflows/0f1e2d3c4b5a/triggers/manual/paths/invoke';
  const handle = (req: { method: string; path: string; query: URLSearchParams; text: string }): Answer => {
    if (req.method !== 'POST' || req.path !== path) return { status: 404, body: { error: { code: 'WorkflowNotFound', message: 'The workflow could not be found.' } } };
    if (req.query.get('sig') !== sig) {
      return { status: 401, body: { error: { code: 'DirectApiInvalidAuthorizationSignature', message: 'The provided request signature is invalid.' } } };
    }
    const body = parseJson(req.text);
    if (body === undefined) return { status: 400, body: { error: { code: 'InvalidRequestContent', message: 'The request content is not valid and could not be deserialized.' } } };
    const problem = teamsRunProblem(body);
    if (problem) failedRuns.push(problem);
    else for (const a of (body as { attachments: { content: Record<string, unknown> }[] }).attachments) posted.push(a.content);
    return { status: 202 };
  };
  const r = await startHttpReceiver(handle);
  return Object.assign(r, {
    hookUrl: `${r.url}${path}?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${sig}`,
    posted,
    failedRuns,
    rateLimit(times: number, seconds: number) {
      r.script(times, { status: 429, headers: { 'retry-after': String(seconds) }, body: { error: { code: 'WorkflowRequestsThrottled', message: 'Rate limit is exceeded.' } } });
    },
  });
}
