import type { AlertRules } from '../config/types';

// Which way each rule's thresholds must be ordered: for `below` rules critical is the smaller number.
const ORDER: Record<string, 'below' | 'above'> = {
  balance: 'below', emailsLeft: 'below', tariffExpiry: 'below', runway: 'below', subscribers: 'above',
};

/**
 * Problems with the thresholds of a (merged) rules object, one line each naming the key path under
 * `path` (e.g. `alerts.rules`): wrong types, NaN, subscribers outside 0..1, critical looser than warning.
 * For the config loader; an empty list means the rules are usable.
 */
export function thresholdProblems(rules: Partial<AlertRules>, path: string): string[] {
  const out: string[] = [];
  for (const [rule, dir] of Object.entries(ORDER)) {
    const t = (rules as Record<string, unknown>)[rule];
    if (t === undefined) continue;
    const at = `${path}.${rule}`;
    if (typeof t !== 'object' || t === null) { out.push(`${at}: must be { warning, critical }`); continue; }
    const { warning, critical } = t as Record<string, unknown>;
    let ok = true;
    for (const [k, v] of [['warning', warning], ['critical', critical]] as const) {
      if (typeof v !== 'number' || !Number.isFinite(v)) { out.push(`${at}.${k}: ${JSON.stringify(v)} is not a number`); ok = false; }
      else if (rule === 'subscribers' && (v < 0 || v > 1)) { out.push(`${at}.${k}: ${v} is not a fraction between 0 and 1`); ok = false; }
    }
    if (!ok) continue;
    const w = warning as number;
    const c = critical as number;
    if (dir === 'below' && c > w) out.push(`${at}: critical (${c}) must not be above warning (${w}): it fires first when the value falls`);
    if (dir === 'above' && c < w) out.push(`${at}: critical (${c}) must not be below warning (${w}): it fires first when the value rises`);
  }
  return out;
}
