import { assertPlanFits } from '../budget/assert-plan-fits';
import { formatPlanTable } from '../budget/format-plan-table';
import { planWarnings } from '../budget/plan-warnings';
import { planConfig } from '../budget/planner';
import { configFileFromArgv } from '../config/config-file-arg';
import { loadConfig } from '../config/load-config';
import { ConfigError } from '../errors';

/**
 * `sendpulse-monitor plan [--config FILE]`: prints what each account's schedule will cost against its
 * budget (the table on stdout, stretch warnings on stderr); exit 1 with the numbers when the config
 * cannot be loaded or an account with `onOverflow: refuse` does not fit.
 */
export async function main(argv: string[]): Promise<number> {
  try {
    const config = loadConfig({ file: configFileFromArgv(argv), env: process.env });
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
