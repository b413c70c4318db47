import { assertPlanFits } from '../budget/assert-plan-fits';
import { formatPlanTable } from '../budget/format-plan-table';
import { planWarnings } from '../budget/plan-warnings';
import { planConfig } from '../budget/planner';
import { loadConfig } from '../config/load-config';
import { ConfigError } from '../errors';
import { parseCommandLine, stringOption } from './parse-command-line';

/**
 * `sendpulse-monitor plan [--config FILE]`: prints what each account's schedule will cost against its
 * budget (the table on stdout, stretch warnings on stderr); exit 1 with the numbers when the config
 * cannot be loaded or an account with `onOverflow: refuse` does not fit; 2 on a usage mistake. Reads
 * only the accounts: Redis, the server and the alert channels are not checked.
 */
export async function main(argv: string[]): Promise<number> {
  const cli = parseCommandLine('plan', argv);
  if (!cli.ok) return cli.exitCode;
  try {
    const config = loadConfig({ file: stringOption(cli.values, 'config'), env: process.env,
      skip: ['redis', 'server', 'channels'] });
    const plan = planConfig(config);
    process.stdout.write(`${formatPlanTable(plan)}\n`);
    for (const w of planWarnings(plan)) process.stderr.write(`warning: ${w}\n`);
    assertPlanFits(plan);
    return 0;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(err.problems.map((p) => `${p}\n`).join(''));
    return 1;
  }
}
