/** A key path as a user reads it in YAML: `accounts[1].intervals.balance`, `headers["X Token"]`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** One configuration problem: where it is and what is wrong (the message never holds a secret). */
export interface Problem {
  path: PropertyKey[];
  message: string;
}

/** The line a user sees: `path: message` (just the message for the whole file). */
export function formatProblem(p: Problem): string {
  const where = formatKeyPath(p.path);
  return where === '' ? p.message : `${where}: ${p.message}`;
}
