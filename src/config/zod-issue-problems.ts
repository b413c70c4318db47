import type { z } from 'zod';
import type { Problem } from './key-path';

/**
 * Our problems for one zod issue. The value parsers write their own messages; this covers what
 * zod itself reports (unknown keys, a mapping or list of the wrong kind, an empty list) and never
 * quotes the input, which may be a secret.
 */
export function zodIssueProblems(issue: z.core.$ZodIssue, schema: z.ZodType): Problem[] {
  const path = issue.path as PropertyKey[];
  switch (issue.code) {
    case 'custom':
      return [{ path, message: issue.message }];
    case 'unrecognized_keys': {
      const known = knownKeys(schema, path);
      return issue.keys.map((key) => {
        const hint = closest(key, known);
        return { path: [...path, key], message: `unknown key${hint ? ` (did you mean ${hint}?)` : ''}` };
      });
    }
    case 'invalid_type': {
      if ('input' in issue && issue.input === undefined) {
        return [{ path, message: path.at(-1) === 'accounts' ? 'is required (at least one account)' : 'is required' }];
      }
      if (issue.expected === 'object' || issue.expected === 'record') return [{ path, message: 'must be a mapping (key: value lines)' }];
      if (issue.expected === 'array') return [{ path, message: 'must be a list (lines starting with "- ")' }];
      return [{ path, message: `must be ${issue.expected}` }];
    }
    case 'too_small':
      if (issue.origin === 'array') {
        return [{ path, message: path.at(-1) === 'accounts' ? 'needs at least one account' : `needs at least ${issue.minimum} entries` }];
      }
      return [{ path, message: 'is too small' }];
    default:
      return [{ path, message: 'is invalid' }];
  }
}

type Def = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; element?: z.ZodType; in?: z.ZodType; valueType?: z.ZodType };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The keys the object schema at `path` accepts (empty when the walk cannot tell). */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: z.ZodType | undefined = schema;
  let i = 0;
  while (node) {
    const def = defOf(node);
    if (def.innerType) node = def.innerType;
    else if (def.type === 'pipe') node = def.in;
    else if (i === path.length) return def.shape ? Object.keys(def.shape) : [];
    else if (def.type === 'object') node = def.shape?.[String(path[i++])];
    else if (def.type === 'array') (node = def.element), i++;
    else if (def.type === 'record') (node = def.valueType), i++;
    else return [];
  }
  return [];
}

/** The known key closest to a typo (edit distance at most 2, or case only). */
function closest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = candidate.toLowerCase() === key.toLowerCase() ? 0 : distance(key, candidate);
    if (d < bestDistance) (best = candidate), (bestDistance = d);
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
