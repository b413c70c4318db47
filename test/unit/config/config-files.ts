import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadConfig } from '../../../src/config/load-config';
import type { MonitorConfig } from '../../../src/config/types';
import { ConfigError } from '../../../src/errors';

/** A temp folder for config files and secret files; `cleanup()` removes it. */
export function tempConfigDir() {
  const dir = mkdtempSync(join(tmpdir(), 'spm-config-'));
  const write = (name: string, content: string): string => {
    const file = join(dir, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    return file;
  };
  return {
    dir,
    write,
    load: (yaml: string, env: NodeJS.ProcessEnv = {}): MonitorConfig => loadConfig({ file: write('config.yaml', yaml), env }),
    /** The problems loadConfig reports for `yaml` (fails the test when it loads). */
    problems: (yaml: string, env: NodeJS.ProcessEnv = {}): string[] => problemsOf(() => loadConfig({ file: write('config.yaml', yaml), env })),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The ConfigError problems thrown by `fn`. */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError, but the config loaded');
}
