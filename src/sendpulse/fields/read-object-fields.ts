import { InvalidResponseError } from '../../errors';
import type { FieldProblem, Reading } from '../readings';
import { kindOf, type FieldValue, type ReadContext } from './field-readers';
import type { FieldRow } from './field-row';

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a JSON object answer field by field, driven by `rows`. Only a body that is not an object at
 * all throws (InvalidResponseError: the poll fails). Otherwise:
 * - a section left out or null (SendPulse leaves out inactive services) gives no values at all;
 * - a field left out or null in a present section is null;
 * - a field that does not fit its reader is null and listed in `unreadable` with the kind of problem;
 * - a section of the wrong kind (a list where an object belongs) is one unreadable entry, its fields null;
 * - keys no row names are ignored.
 */
export function readObjectFields(endpoint: string, rows: readonly FieldRow[], body: unknown, ctx: ReadContext): Reading {
  if (!isObject(body)) throw new InvalidResponseError(endpoint, `body: expected an object, got ${body === undefined ? 'nothing' : kindOf(body)}`);
  const values: Record<string, FieldValue> = {};
  const unreadable: FieldProblem[] = [];
  const badContainers = new Set<string>();

  for (const row of rows) {
    if (!row.read) continue;
    const keys = row.path.split('.');
    const key = keys.pop() as string;
    const container = sectionOf(body, keys, row, values, unreadable, badContainers);
    if (container === null) continue;

    let raw = container[key];
    if ((raw === undefined || raw === null) && row.aliases) {
      const alias = row.aliases.find((a) => container[a] !== undefined && container[a] !== null);
      // A renamed field is read rather than silently dropped; problems still name the documented path.
      if (alias !== undefined) raw = container[alias];
    }
    if (raw === undefined || raw === null) {
      if (row.keep !== false) values[row.path] = null;
      continue;
    }
    const r = row.read(raw, ctx);
    if (r.ok) {
      if (row.keep !== false) values[row.path] = r.value;
    } else {
      unreadable.push({ path: row.path, problem: r.problem });
      if (row.keep !== false) values[row.path] = null;
    }
  }
  return { values, unreadable };
}

/**
 * The object holding a row's field, walking `keys` from the body; null when a section on the way is
 * left out (no values) or of the wrong kind (listed once as unreadable, the row's value null).
 */
function sectionOf(body: JsonObject, keys: readonly string[], row: FieldRow, values: Record<string, FieldValue>,
  unreadable: FieldProblem[], badContainers: Set<string>): JsonObject | null {
  let container = body;
  let at = '';
  for (const k of keys) {
    at = at === '' ? k : `${at}.${k}`;
    const next: unknown = container[k];
    if (next === undefined || next === null) return null;
    if (!isObject(next)) {
      if (!badContainers.has(at)) {
        badContainers.add(at);
        unreadable.push({ path: at, problem: `expected an object, got ${kindOf(next)}` });
      }
      if (row.keep !== false) values[row.path] = null;
      return null;
    }
    container = next;
  }
  return container;
}
