import { ENDPOINT_DEFS, ENDPOINTS, type Endpoint } from '../sendpulse/endpoints';
import type { FieldRow } from '../sendpulse/fields/field-row';
import type { Reading } from '../sendpulse/readings';
import { esc, val } from './text-format';

/** One gauge family fed by fields of the readings, with the rows that feed it. */
export interface ReadingFamily {
  name: string;
  help: string;
  rows: { endpoint: Endpoint; row: FieldRow }[];
}

/**
 * The gauge families the field table (src/sendpulse/endpoints/) defines, in table order, each with
 * the rows that feed it. Derived once: adding a field with a `metric` adds its samples here.
 */
export const READING_FAMILIES: readonly ReadingFamily[] = (() => {
  const byName = new Map<string, ReadingFamily>();
  for (const endpoint of ENDPOINTS) {
    for (const row of ENDPOINT_DEFS[endpoint].fields) {
      if (!row.metric) continue;
      const f = byName.get(row.metric.name) ?? { name: row.metric.name, help: row.metric.help, rows: [] };
      f.rows.push({ endpoint, row });
      byName.set(f.name, f);
    }
  }
  return [...byName.values()];
})();

/** A field's value as a label value: text as is, numbers as their decimal text, none as "". */
function labelText(r: Reading, path: string): string {
  const v = r.values[path];
  if (v === null || v === undefined) return '';
  return esc(typeof v === 'string' ? v : String(v));
}

/**
 * Appends to `out` the sample lines of one family for one account (`accountLabel` is `account="..."`,
 * already escaped). A field with no value (absent, null, unreadable) has no sample: never a made-up 0.
 */
export function renderFamilySamples(f: ReadingFamily, accountLabel: string, readings: { [E in Endpoint]?: Reading | null }, out: string[]): void {
  for (const { endpoint, row } of f.rows) {
    const r = readings[endpoint];
    if (!r) continue;
    const m = row.metric!;
    let value: number;
    if (m.info) value = 1;
    else {
      const v = r.values[row.path];
      if (typeof v === 'number') value = v;
      else if (typeof v === 'boolean') value = v ? 1 : 0;
      else continue;
    }
    let labels = accountLabel;
    if (m.labels) for (const [k, v] of Object.entries(m.labels)) labels += `,${k}="${esc(v)}"`;
    if (m.labelFields) for (const [k, path] of Object.entries(m.labelFields)) labels += `,${k}="${labelText(r, path)}"`;
    out.push(`${f.name}{${labels}} ${val(value)}\n`);
  }
}
