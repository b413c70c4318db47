import type { FieldValue } from './fields/field-readers';

/**
 * What the parsers make of SendPulse's answers: one Reading per endpoint, a flat map from field path
 * (as in src/sendpulse/endpoints/) to value. Every number is finite; never NaN, never a made-up 0.
 * Timestamps are Unix seconds, traffic is bytes.
 */

/** A field that could not be read, and the kind of problem (never its value: values may be personal). */
export interface FieldProblem {
  /** The path in SendPulse's answer: `push.end_date`, `push` (a whole section), `[].is_active` (team members). */
  path: string;
  /** "is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)", "expected an object, got a list", ... */
  problem: string;
}

/**
 * One endpoint's answer, read field by field. `values` has an entry for every field of every section
 * present in the answer: the value, or null when SendPulse sent none or it was unreadable. A section
 * SendPulse left out (an inactive service) has no entries. `unreadable` lists what did not fit.
 */
export interface Reading {
  values: Record<string, FieldValue>;
  unreadable: FieldProblem[];
}

/** A number field's value; null when absent, null, or not a number. */
export function numberField(r: Reading | null | undefined, path: string): number | null {
  const v = r?.values[path];
  return typeof v === 'number' ? v : null;
}

/** A text field's value; null when absent, null, or not text. */
export function textField(r: Reading | null | undefined, path: string): string | null {
  const v = r?.values[path];
  return typeof v === 'string' ? v : null;
}

/** Whether the answer had the field (its section present), readable or not. */
export function hasField(r: Reading | null | undefined, path: string): boolean {
  return r !== null && r !== undefined && Object.prototype.hasOwnProperty.call(r.values, path);
}

/** Whether the field was unreadable in this reading (or its whole section was). */
export function isUnreadable(r: Reading | null | undefined, path: string): boolean {
  return r?.unreadable.some((p) => p.path === path || path.startsWith(`${p.path}.`)) ?? false;
}
