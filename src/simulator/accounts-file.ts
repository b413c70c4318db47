import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError } from '../errors';
import { accountDefProblems } from './account-store';
import { isPlainObject } from './deep-merge';
import type { SimAccountDef } from './types';

/**
 * The account definitions in a JSON or YAML file (YAML reads both): a list of accounts, or an
 * object with an `accounts` list. Throws a ConfigError naming every problem with its position.
 */
export function loadAccountsFile(path: string): SimAccountDef[] {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError([`${path}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`]);
  }
  const list = Array.isArray(doc) ? doc : isPlainObject(doc) && Array.isArray(doc.accounts) ? doc.accounts : undefined;
  if (!list) throw new ConfigError([`${path}: expected a list of accounts or an object with "accounts: [...]"`]);
  const problems = list.flatMap((def, i) => accountDefProblems(def, `accounts[${i}]`));
  const seen = new Set<string>();
  list.forEach((def: { id?: unknown }, i) => {
    if (typeof def?.id === 'string' && seen.has(def.id)) problems.push(`accounts[${i}].id: "${def.id}" appears twice`);
    if (typeof def?.id === 'string') seen.add(def.id);
  });
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `${path}: ${p}`));
  return list as SimAccountDef[];
}
