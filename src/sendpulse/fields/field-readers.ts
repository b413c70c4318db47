import { InvalidResponseError } from '../../errors';
import { parseZonedDateTime } from '../zoned-time';
import { parseTrafficBytes } from './traffic-bytes';

/**
 * How one raw JSON value of a SendPulse answer is read. A reader returns the value, or the kind of
 * problem (never the value itself: values may be personal, and problems reach logs and metrics).
 * Missing (undefined) and null are always "no value" (null), read by the caller before the reader.
 */

/** A read value: a finite number (amounts, counts, bytes, Unix seconds), text, a flag, or null (none). */
export type FieldValue = number | string | boolean | null;

/** The outcome of reading one value. */
export type ReadResult = { ok: true; value: FieldValue } | { ok: false; problem: string };

/** What a reader may need besides the value: the IANA zone SendPulse's zoneless dates are read in. */
export interface ReadContext {
  timeZone: string;
}

/** Reads one raw value that is neither undefined nor null. */
export type FieldReader = (raw: unknown, ctx: ReadContext) => ReadResult;

const ok = (value: FieldValue): ReadResult => ({ ok: true, value });
const bad = (problem: string): ReadResult => ({ ok: false, problem });

// A plain decimal: what SendPulse's balances look like ("9.36", "-1.50"). No exponents, no thousands separators.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const INTEGER = /^[+-]?\d+$/;
const ID = /^\d+$/;
/** SendPulse's (MySQL's) "no date", and an empty string: a tariff without an end (seen on real accounts). */
const NO_DATE = new Set(['', '0000-00-00', '0000-00-00 00:00:00']);

/** Returns the JSON kind of a value with its article ("a list", "an object", "null"), for type problems. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'object': return 'an object';
    case 'string': return 'a string';
    case 'number': return 'a number';
    case 'boolean': return 'a boolean';
    default: return typeof value;
  }
}

/** A finite number from a number or a decimal string ("9.36", "-1.50"). */
export const decimal: FieldReader = (raw) => {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && DECIMAL.test(raw.trim())) n = Number(raw.trim());
  else return bad(`is not a number (got ${kindOf(raw)})`);
  // A 400-digit string passes the pattern and still overflows to Infinity.
  if (!Number.isFinite(n)) return bad('is out of range');
  // "-0.00" is zero; a -0 would print as "-0" in the metrics.
  return ok(n === 0 ? 0 : n);
};

/**
 * A count (e-mails left, subscribers): a whole number from 0 up, from a number or a numeric string. A
 * negative or fractional count cannot be a count, so it is unreadable rather than clamped or rounded
 * into a plausible-looking value.
 */
export const count: FieldReader = (raw) => {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && INTEGER.test(raw.trim())) n = Number(raw.trim());
  else return bad(`is not a whole number (got ${kindOf(raw)})`);
  // Past 2^53 a count can no longer be exact, so it is as unusable as Infinity.
  if (!Number.isFinite(n) || (Number.isInteger(n) && !Number.isSafeInteger(n))) return bad('is out of range');
  if (!Number.isInteger(n)) return bad('is not a whole number');
  if (n < 0) return bad('is negative');
  return ok(n === 0 ? 0 : n);
};

/** An id (SendPulse's account and user ids): a positive whole number or its decimal string. */
export const id: FieldReader = (raw) => {
  let n = NaN;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && ID.test(raw.trim())) n = Number(raw.trim());
  return Number.isSafeInteger(n) && n > 0 ? ok(n) : bad('is not an id (a positive whole number)');
};

/** Text. */
export const text: FieldReader = (raw) => (typeof raw === 'string' ? ok(raw) : bad(`expected text, got ${kindOf(raw)}`));

/** Text, or a number taken as its decimal text (SendPulse's `time_zone` is "12" or 12). */
export const textOrNumber: FieldReader = (raw) => {
  if (typeof raw === 'string') return ok(raw);
  if (typeof raw === 'number' && Number.isFinite(raw)) return ok(String(raw));
  return bad(`expected text, got ${kindOf(raw)}`);
};

/** A flag from true/false, 1/0, "1"/"0" or "true"/"false" (SendPulse's `auto_renew` is 1). */
export const flag: FieldReader = (raw) => {
  if (raw === true || raw === 1 || raw === '1' || raw === 'true') return ok(true);
  if (raw === false || raw === 0 || raw === '0' || raw === 'false') return ok(false);
  return bad('is not a flag (true/false, 1/0)');
};

/**
 * A date as Unix seconds, read in the context's zone: "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DD"
 * (midnight). "", "0000-00-00" and "0000-00-00 00:00:00" mean "no date" (null): a tariff with no end.
 */
export const date: FieldReader = (raw, ctx) => {
  if (typeof raw !== 'string') return bad(`expected a date string, got ${kindOf(raw)}`);
  if (NO_DATE.has(raw.trim())) return ok(null);
  try {
    return ok(parseZonedDateTime(raw.trim(), ctx.timeZone, ''));
  } catch (err) {
    if (err instanceof InvalidResponseError) return bad('is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)');
    throw err;
  }
};

/** A traffic amount in bytes from SendPulse's "1000 Mb" / "12.50 Mb" strings (see traffic-bytes.ts for the unit). */
export const trafficBytes: FieldReader = (raw) => {
  if (typeof raw !== 'string') return bad(`expected an amount with a unit such as "1000 Mb", got ${kindOf(raw)}`);
  const bytes = parseTrafficBytes(raw);
  return bytes === null ? bad('is not an amount with a unit (b, Kb, Mb, Gb, Tb)') : ok(bytes);
};

/**
 * A personal value we read but never keep (phone): checked to be one of `kinds`, so that an answer of
 * some other shape is noticed; the value itself is dropped (null) and never quoted.
 */
export function personal(kinds: ReadonlyArray<'string' | 'number' | 'boolean'>): FieldReader {
  return (raw) => {
    const kind = typeof raw;
    const fits = (kind === 'string' || kind === 'number' || kind === 'boolean') && kinds.includes(kind)
      && (kind !== 'number' || Number.isFinite(raw));
    return fits ? ok(null) : bad(`expected ${kinds.map((k) => `a ${k}`).join(' or ')}, got ${kindOf(raw)}`);
  };
}
