import { assertPlanFits } from '../budget/assert-plan-fits';
import { planConfig } from '../budget/planner';
import { configFileFromArgv } from '../config/config-file-arg';
import { loadConfig } from '../config/load-config';
import { ConfigError } from '../errors';

/**
 * `sendpulse-monitor validate [--config FILE]`: 0 and "config OK: N accounts (names)" on stdout,
 * or 1 and one line per problem on stderr. Without --config it checks what `run` would load
 * (SENDPULSE_MONITOR_CONFIG, else the environment).
 */
export async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((a, i) => !(a === '--config' || a === '-c' || a.startsWith('--config=') || argv[i - 1] === '--config' || argv[i - 1] === '-c'));
  if (unknown.length > 0) {
    process.stderr.write(`validate: unknown argument ${JSON.stringify(unknown[0])} (usage: sendpulse-monitor validate [--config FILE])\n`);
    return 1;
  }
  try {
    const config = loadConfig({ file: configFileFromArgv(argv), env: process.env });
    // A schedule that does not fit a budget with onOverflow: refuse is as fatal as a bad key.
    assertPlanFits(planConfig(config));
    const names = config.accounts.map((a) => a.name);
    process.stdout.write(`config OK: ${names.length} account${names.length === 1 ? '' : 's'} (${names.join(', ')})\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(err.problems.map((p) => `${p}\n`).join(''));
    return 1;
  }
}
