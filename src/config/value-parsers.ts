import { durationProblem, formatDuration, tryParseDuration } from './duration';
import { Secret } from './secret';

/**
 * Leaf parsers shared by the zod schema and the cross-field checks, so both read a value the same
 * way. Each returns the value or a problem text without the key path. Values from `${VAR}`
 * substitution are strings, so numbers and booleans also accept their text form.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** A parser from a raw YAML value. */
export type Parser<T> = (input: unknown) => Parsed<T>;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

/** How a rejected non-secret value is quoted in a message; long strings are cut. */
export function show(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(input.length > 60 ? `${input.slice(0, 57)}...` : input);
  if (Array.isArray(input)) return 'a list';
  if (input !== null && typeof input === 'object') return 'a mapping';
  return String(input);
}

/** A number (or its text); `what` names it in the problem ("a number", "an integer from 1 to 10"). */
export function numberIn(opts: { min?: number; max?: number; minExclusive?: boolean; integer?: boolean; what: string }): Parser<number> {
  return (input) => {
    const n = typeof input === 'number' ? input : typeof input === 'string' && input.trim() !== '' ? Number(input) : NaN;
    if (!Number.isFinite(n)) return bad(`${show(input)} is not ${opts.what}`);
    const tooLow = opts.min !== undefined && (opts.minExclusive ? n <= opts.min : n < opts.min);
    const tooHigh = opts.max !== undefined && n > opts.max;
    if ((opts.integer && !Number.isInteger(n)) || tooLow || tooHigh) return bad(`${show(input)} is not ${opts.what}`);
    return ok(n);
  };
}

/** true/false (or "true"/"false"). */
export const bool: Parser<boolean> = (input) => {
  if (typeof input === 'boolean') return ok(input);
  if (input === 'true' || input === 'false') return ok(input === 'true');
  return bad(`${show(input)} is not true or false`);
};

/** A duration in ms, at least `minMs`. */
export function duration(minMs = 0): Parser<number> {
  return (input) => {
    const ms = tryParseDuration(input);
    if (ms === undefined) return bad(durationProblem(input));
    if (ms < minMs) return bad(`${show(input)} is below the minimum of ${formatDuration(minMs)}`);
    return ok(ms);
  };
}

/** A non-empty string, optionally matching `pattern` (described by `rule`). */
export function text(pattern?: RegExp, rule?: string): Parser<string> {
  return (input) => {
    if (typeof input !== 'string') return bad(`must be text, not ${show(input)} (quote it)`);
    if (input.trim() === '') return bad('must not be empty');
    if (pattern && !pattern.test(input)) return bad(`${show(input)} ${rule ?? 'is not allowed'}`);
    return ok(input);
  };
}

/** One of the listed words. */
export function oneOf<const T extends string>(values: readonly T[]): Parser<T> {
  return (input) =>
    typeof input === 'string' && (values as readonly string[]).includes(input)
      ? ok(input as T)
      : bad(`${show(input)} is not one of ${values.join(', ')}`);
}

/** A secret string; its problems never quote the value. */
export const secretText: Parser<Secret> = (input) => {
  if (typeof input !== 'string' || input.trim() === '') return bad('is invalid (must be non-empty text; quote it)');
  return ok(new Secret(input));
};

/** A URL with one of `protocols` ("http:", ...); when `secret`, problems never quote it. */
export function url(protocols: readonly string[], secret: boolean): Parser<string> {
  const want = `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`;
  return (input) => {
    let parsed: URL | undefined;
    try {
      if (typeof input === 'string') parsed = new URL(input);
    } catch {
      parsed = undefined;
    }
    if (parsed && protocols.includes(parsed.protocol) && parsed.hostname !== '') return ok(input as string);
    return bad(secret ? `is invalid (${want})` : `${show(input)} is not a valid URL (${want})`);
  };
}

/** A secret URL (SMTP, Redis, webhook). */
export function secretUrl(protocols: readonly string[]): Parser<Secret> {
  const parse = url(protocols, true);
  return (input) => {
    const r = parse(input);
    return r.ok ? ok(new Secret(r.value)) : r;
  };
}

/** An e-mail address (a light check: something@something, no spaces). */
export const email: Parser<string> = (input) =>
  typeof input === 'string' && /^[^\s@<>,]+@[^\s@<>,]+$/.test(input) ? ok(input) : bad(`${show(input)} is not an e-mail address`);

/** An IANA time zone that this Node.js knows (Intl is what the date parsing uses too). */
export const timeZone: Parser<string> = (input) => {
  if (typeof input === 'string' && input !== '') {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: input });
      return ok(input);
    } catch {
      // falls through to the problem below
    }
  }
  return bad(`${show(input)} is not an IANA time zone (e.g. UTC, Europe/Berlin, America/New_York)`);
};
