/** True for `{...}` objects (not arrays, not null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The patch that sets one dotted path (`balanceDetail.push.end_date`) to `value` (`undefined` removes it). */
export function pathPatch(path: string, value: unknown): Record<string, unknown> {
  const parts = path.split('.');
  const patch: Record<string, unknown> = {};
  let node = patch;
  for (const part of parts.slice(0, -1)) node = (node[part] = {}) as Record<string, unknown>;
  node[parts[parts.length - 1] as string] = value;
  return patch;
}

/**
 * A new value: `patch` merged into `base`. Objects merge key by key, arrays and scalars (null
 * included, since SendPulse sends null fields) replace, and a key set to `undefined` is removed,
 * which is how a test makes a balance section disappear as it does for an inactive service.
 */
export function deepMerge<T>(base: T, patch: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(patch)) return structuredClone(patch) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete out[key];
    else out[key] = isPlainObject(value) && isPlainObject(out[key]) ? deepMerge(out[key], value) : structuredClone(value);
  }
  return out as T;
}
