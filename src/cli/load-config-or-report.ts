import { loadConfig, type ConfigSection } from '../config/load-config';
import type { MonitorConfig } from '../config/types';
import { ConfigError } from '../errors';

/**
 * Loads the config from `file` (undefined: SENDPULSE_MONITOR_CONFIG, else the environment), leaving
 * out the sections the command does not use; on problems prints them to stderr, one line each, and
 * returns null.
 */
export function loadConfigOrReport(file: string | undefined, skip: readonly ConfigSection[] = []): MonitorConfig | null {
  try {
    return loadConfig({ file, env: process.env, skip });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`sendpulse-monitor: invalid configuration:\n${err.problems.map((p) => `  ${p}\n`).join('')}`);
      return null;
    }
    throw err;
  }
}
