import { loadConfig } from '../config/load-config';
import { configFileFromArgv } from '../config/config-file-arg';
import type { MonitorConfig } from '../config/types';
import { ConfigError } from '../errors';

/** Loads the config named by `--config`/env; on problems prints one line each to stderr and returns null. */
export function loadConfigOrReport(argv: string[]): MonitorConfig | null {
  try {
    return loadConfig({ file: configFileFromArgv(argv), env: process.env });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`sendpulse-monitor: invalid configuration:\n${err.problems.map((p) => `  ${p}\n`).join('')}`);
      return null;
    }
    throw err;
  }
}
