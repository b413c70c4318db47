import { InvalidResponseError } from '../errors';

/**
 * Turns an HTTP body into a JSON value, or into an InvalidResponseError that says what came instead.
 * Proxies and load balancers in front of SendPulse answer with HTML pages, and cut connections leave
 * truncated JSON; the message names the problem and a position, and quotes at most 80 characters of
 * text that does not look like JSON at all (a JSON body may be a token answer, so it is never quoted).
 */

const MAX_SNIPPET = 80;
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX = /^[0-9a-fA-F]$/;

/** Up to 80 characters of `s` on one line, control characters blanked, quoted. */
function snippet(s: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > MAX_SNIPPET ? `${flat.slice(0, MAX_SNIPPET)}…` : flat);
}

/**
 * Where JSON.parse gave up, found with our own scan: V8's messages differ between Node versions and
 * some quote the body. `truncated` is true when the text is a valid beginning of JSON that stops early.
 */
function locateJsonError(t: string): { position: number; truncated: boolean } {
  let i = 0;
  const stack: string[] = [];
  const stop = () => ({ position: Math.min(i, t.length), truncated: i >= t.length });
  const skipWs = () => {
    while (i < t.length && WHITESPACE.has(t[i])) i++;
  };
  const digits = (): boolean => {
    const start = i;
    while (i < t.length && t[i] >= '0' && t[i] <= '9') i++;
    return i > start;
  };
  /** Scans one value starting at i; false when it is broken (i is then at the fault). */
  const scalar = (): boolean => {
    const c = t[i];
    if (c === '"') {
      for (i++; i < t.length; i++) {
        if (t[i] === '"') return (i++, true);
        if (t[i] < ' ') return false;
        if (t[i] === '\\') {
          i++;
          if (i >= t.length) return false;
          if (t[i] === 'u') {
            for (let k = 0; k < 4; k++) if (++i >= t.length || !HEX.test(t[i])) return false;
          } else if (!ESCAPES.has(t[i])) return false;
        }
      }
      return false;
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      if (c === '-') i++;
      if (t[i] === '0') i++;
      else if (!digits()) return false;
      if (t[i] === '.' && (i++, !digits())) return false;
      if (t[i] === 'e' || t[i] === 'E') {
        i++;
        if (t[i] === '+' || t[i] === '-') i++;
        if (!digits()) return false;
      }
      return true;
    }
    for (const word of ['true', 'false', 'null']) {
      if (c === word[0]) {
        for (const w of word) if (t[i++] !== w) return (i--, false);
        return true;
      }
    }
    return false;
  };

  const closer = () => (stack[stack.length - 1] === '{' ? '}' : ']');
  let state: 'value' | 'key' | 'after' = 'value';
  for (;;) {
    skipWs();
    if (state === 'value') {
      if (t[i] === '{' || t[i] === '[') {
        stack.push(t[i]);
        i++;
        skipWs();
        if (t[i] === closer()) {
          stack.pop();
          i++;
          state = 'after';
        } else {
          state = stack[stack.length - 1] === '{' ? 'key' : 'value';
        }
      } else if (scalar()) {
        state = 'after';
      } else {
        return stop();
      }
    } else if (state === 'key') {
      if (t[i] !== '"' || !scalar()) return stop();
      skipWs();
      if (t[i] !== ':') return stop();
      i++;
      state = 'value';
    } else if (stack.length === 0) {
      // A whole value and then more text; JSON.parse accepts a lone value with nothing after it.
      return i >= t.length ? { position: 0, truncated: false } : stop();
    } else if (t[i] === ',') {
      i++;
      state = stack[stack.length - 1] === '{' ? 'key' : 'value';
    } else if (t[i] === closer()) {
      stack.pop();
      i++;
    } else {
      return stop();
    }
  }
}

/**
 * Returns the parsed JSON of a response body; an empty body, an HTML page, or JSON that is
 * truncated or malformed throws InvalidResponseError(endpoint, problem, status).
 */
export function decodeJsonBody(endpoint: string, status: number, contentType: string | undefined, text: string): unknown {
  const type = contentType?.split(';')[0].trim().toLowerCase() || 'no content type';
  const fail = (problem: string): never => {
    throw new InvalidResponseError(endpoint, problem, status);
  };
  // A UTF-8 byte order mark is legal in front of JSON text for some servers, but JSON.parse rejects it.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const trimmed = body.trim();
  if (trimmed === '') return fail(`empty body (${type}) instead of JSON`);
  if (trimmed.startsWith('<')) {
    const title = /<title[^>]*>([^<]*)</i.exec(trimmed)?.[1].trim();
    return fail(`got an HTML page (${type}${title ? `, title ${snippet(title)}` : ''}) instead of JSON`);
  }
  try {
    return JSON.parse(body);
  } catch {
    // Falls through to describe the fault; the SyntaxError's message may quote the body.
  }
  const { position, truncated } = locateJsonError(body);
  if (truncated) return fail(`truncated JSON at position ${position}`);
  if (type.includes('html')) return fail(`got an HTML page (${type}) instead of JSON`);
  // Plain text (a proxy's "Bad Gateway") is worth quoting; anything JSON-shaped is not.
  if (!/^[[{"]/.test(trimmed)) return fail(`not JSON (${type}): starts with ${snippet(trimmed)}`);
  return fail(`malformed JSON at position ${position}`);
}
