import { readFileSync } from 'node:fs';
import { join } from 'node:path';

function readVersion(): string {
  // package.json sits two levels above both src/ and dist/src/.
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(join(__dirname, rel), 'utf8')) as { version: string }).version;
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0';
}

/** The package version, as `--version` prints it. */
export const VERSION: string = readVersion();
