import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Secret } from './secret';
import type { Parsed } from './value-parsers';

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
};

/**
 * The content of a secret file (a Kubernetes secret mount, a Docker secret) as a Secret, without
 * its trailing newline; a relative path is read from `baseDir` (the config file's folder). The
 * problem names the file, never its content.
 */
export function readSecretFile(file: string, baseDir: string): Parsed<Secret> {
  const full = isAbsolute(file) ? file : resolve(baseDir, file);
  let content: string;
  try {
    content = readFileSync(full, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    return { ok: false, problem: `cannot read ${full} (${REASONS[code] ?? code ?? 'unreadable'})` };
  }
  // `echo secret > file` and `kubectl create secret --from-file` leave a newline that is not part of the secret.
  const value = content.replace(/(\r?\n)+$/, '');
  if (value === '') return { ok: false, problem: `${full} is empty` };
  return { ok: true, value: new Secret(value) };
}
