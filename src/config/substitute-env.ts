import type { Problem } from './key-path';

// `$${` is a literal `${`; `${NAME}` and `${NAME:-default}` are references; any other `${` is a mistake.
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{/g;

/**
 * The YAML tree with `${VAR}` and `${VAR:-default}` replaced from `env` in every string value
 * (the default applies when VAR is unset or empty, as in the shell), and null values of mapping
 * keys dropped so that `key:` left empty reads as absent. Problems name the key path and the
 * variable, never a value.
 */
export function substituteEnv(tree: unknown, env: NodeJS.ProcessEnv): { tree: unknown; problems: Problem[] } {
  const problems: Problem[] = [];
  const walk = (node: unknown, path: PropertyKey[]): unknown => {
    if (typeof node === 'string') return substitute(node, path);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) {
        if (value !== null) out[key] = walk(value, [...path, key]);
      }
      return out;
    }
    return node;
  };
  const substitute = (s: string, path: PropertyKey[]): string =>
    s.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${';
      if (name === undefined) {
        problems.push({ path, message: 'has a "${" that is not a variable reference (write ${NAME}, ${NAME:-default}, or $${ for a literal ${)' });
        return match;
      }
      const value = env[name];
      if (value !== undefined && value !== '') return value;
      if (fallback !== undefined) return fallback;
      if (value === undefined) problems.push({ path, message: `environment variable ${name} is not set (set it, or write \${${name}:-default})` });
      return '';
    });
  return { tree: walk(tree, []), problems };
}
