import { assertPlanFits } from '../budget/assert-plan-fits';
import { planConfig } from '../budget/planner';
import { loadConfig } from '../config/load-config';
import { ConfigError } from '../errors';
import { parseCommandLine, stringOption } from './parse-command-line';

/**
 * `sendpulse-monitor validate [--config FILE]`: 0 and "config OK: N accounts (names)" on stdout,
 * or 1 and one line per problem on stderr; 2 on a usage mistake. Without --config it checks what
 * `run` would load (SENDPULSE_MONITOR_CONFIG, else the environment), every section included.
 */
export async function main(argv: string[]): Promise<number> {
  const cli = parseCommandLine('validate', argv);
  if (!cli.ok) return cli.exitCode;
  try {
    const config = loadConfig({ file: stringOption(cli.values, 'config'), env: process.env });
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
