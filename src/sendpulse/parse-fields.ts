import { InvalidResponseError } from '../errors';
import { parseZonedDateTime } from './zoned-time';

/**
 * Field readers shared by the three endpoint parsers. Each takes the endpoint, the field path used
 * in error messages and the raw value; "missing" (undefined) and null both become null, and a value
 * that does not fit throws InvalidResponseError: never NaN, never a made-up 0.
 */

/** A plain JSON object. */
export type JsonObject = Record<string, unknown>;

const MAX_QUOTE = 80;
// A plain decimal: what SendPulse's balances look like ("9.36", "-1.50"). No exponents, no thousands separators.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const INTEGER = /^[+-]?\d+$/;
const ID = /^\d+$/;

/** Returns how a value reads in an error message: strings quoted and cut at 80 chars, containers by kind only. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value.length > MAX_QUOTE ? `${value.slice(0, MAX_QUOTE)}…` : value);
    return value === '' ? 'an empty string' : quoted;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'a non-finite number';
  if (typeof value === 'boolean') return String(value);
  return kindOf(value);
}

/** Returns the JSON kind of a value with its article ("a list", "an object", "null"), for type errors. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return typeof value;
  }
}

/** Throws the endpoint's InvalidResponseError for `path`; `path` "" means the body itself. */
export function invalid(endpoint: string, path: string, problem: string): never {
  throw new InvalidResponseError(endpoint, `${path === '' ? 'body' : path}: ${problem}`);
}

/** Joins a parent path and a key the way messages show them (`email.emails_left`, `[2].is_active`). */
export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

/** Returns the value as an object, null when missing or null; a list or scalar is invalid. */
export function readObject(endpoint: string, path: string, value: unknown): JsonObject | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) invalid(endpoint, path, `expected an object, got ${kindOf(value)}`);
  return value as JsonObject;
}

/** Returns a finite number from a number or a decimal string ("9.36"); null when missing or null. */
export function readDecimal(endpoint: string, path: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && DECIMAL.test(value.trim())) n = Number(value.trim());
  else return invalid(endpoint, path, `${describeValue(value)} is not a number`);
  // "1e999" cannot pass the pattern, but a 400-digit string can still overflow to Infinity.
  if (!Number.isFinite(n)) invalid(endpoint, path, `${typeof value === 'string' ? describeValue(value) : 'the number'} is out of range`);
  // "-0.00" is zero; a -0 would print as "-0" in the metrics.
  return n === 0 ? 0 : n;
}

/**
 * Returns a non-negative whole number (a count: e-mails left, subscribers) from a number or a numeric
 * string; null when missing or null. A negative or fractional count cannot be a count, so it makes
 * the response invalid rather than being clamped or rounded into a plausible-looking value.
 */
export function readCount(endpoint: string, path: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && INTEGER.test(value.trim())) n = Number(value.trim());
  else return invalid(endpoint, path, `${describeValue(value)} is not a whole number`);
  // Past 2^53 a count can no longer be exact, so it is as unusable as Infinity.
  if (!Number.isFinite(n) || (Number.isInteger(n) && !Number.isSafeInteger(n))) {
    invalid(endpoint, path, `${typeof value === 'string' ? describeValue(value) : 'the number'} is out of range`);
  }
  if (!Number.isInteger(n)) invalid(endpoint, path, `${describeValue(value)} is not a whole number`);
  if (n < 0) invalid(endpoint, path, `${describeValue(value)} is negative`);
  return n === 0 ? 0 : n;
}

/** Returns an id (SendPulse's account and user ids) from a positive whole number or its decimal string; missing or null is invalid. */
export function readId(endpoint: string, path: string, value: unknown): number {
  if (value === undefined || value === null) return invalid(endpoint, path, 'missing');
  let n = NaN;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && ID.test(value.trim())) n = Number(value.trim());
  if (!Number.isSafeInteger(n) || n <= 0) invalid(endpoint, path, `${describeValue(value)} is not an id (a positive whole number)`);
  return n;
}

/** Returns a string; null when missing or null. Numbers are accepted as their decimal text (SendPulse's `time_zone` is "12" or 12). */
export function readString(endpoint: string, path: string, value: unknown, opts: { numbers?: boolean } = {}): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (opts.numbers === true && typeof value === 'number' && Number.isFinite(value)) return String(value);
  return invalid(endpoint, path, `expected a string, got ${kindOf(value)}`);
}

/** Returns a boolean from true/false, 1/0, "1"/"0" or "true"/"false" (SendPulse's `auto_renew` is 1); null when missing or null. */
export function readFlag(endpoint: string, path: string, value: unknown): boolean | null {
  if (value === undefined || value === null) return null;
  if (value === true || value === 1 || value === '1' || value === 'true') return true;
  if (value === false || value === 0 || value === '0' || value === 'false') return false;
  return invalid(endpoint, path, `${describeValue(value)} is not a boolean (true/false, 1/0)`);
}

/**
 * Returns a date as Unix seconds, read in `timeZone`; null when missing, null, or SendPulse's
 * zero date "0000-00-00[ 00:00:00]" (MySQL's "no date": a tariff with no end).
 */
export function readDate(endpoint: string, path: string, value: unknown, timeZone: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') return invalid(endpoint, path, `expected a date string, got ${kindOf(value)}`);
  if (value === '0000-00-00' || value === '0000-00-00 00:00:00') return null;
  return parseZonedDateTime(value, timeZone, path);
}

/** Checks a value we read but do not keep (phone, ids of others) is one of the JSON kinds allowed; never quotes it, as it may be personal. */
export function checkKind(endpoint: string, path: string, value: unknown, kinds: ReadonlyArray<'string' | 'number' | 'boolean'>): void {
  if (value === undefined || value === null) return;
  const kind = typeof value;
  if ((kind === 'string' || kind === 'number' || kind === 'boolean') && kinds.includes(kind)) {
    if (kind !== 'number' || Number.isFinite(value)) return;
  }
  invalid(endpoint, path, `expected ${kinds.map((k) => `a ${k}`).join(' or ')}, got ${kindOf(value)}`);
}
