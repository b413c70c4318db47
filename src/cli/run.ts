import { describeActiveRules } from '../alerts/describe-active-rules';
import { assertPlanFits } from '../budget/assert-plan-fits';
import { planConfig } from '../budget/planner';
import { ConfigError } from '../errors';
import { childLogger } from '../logger';
import { startMonitor } from '../worker';
import { loadConfigOrReport } from './load-config-or-report';
import { parseCommandLine, stringOption } from './parse-command-line';
import { waitForSignal } from './wait-for-signal';

/** `sendpulse-monitor run [--config FILE]`: the long-running worker and metrics server. */
export async function main(argv: string[]): Promise<number> {
  const cli = parseCommandLine('run', argv);
  if (!cli.ok) return cli.exitCode;
  const config = loadConfigOrReport(stringOption(cli.values, 'config'));
  if (!config) return 1;
  const log = childLogger({ component: 'run' });
  try {
    assertPlanFits(planConfig(config));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`sendpulse-monitor: the schedule does not fit the request budget:\n${err.problems.map((p) => `  ${p}\n`).join('')}`);
    return 1;
  }
  for (const account of config.accounts) {
    const active = describeActiveRules(account);
    log.info({ account: account.name, rules: active.rules, noValueRule: active.noValueRule }, `alert rules of ${account.name}: ${active.summary}`);
  }
  const monitor = await startMonitor(config);
  const sig = await waitForSignal();
  log.info({ signal: sig }, 'shutting down: finishing polls in flight');
  await monitor.close(8000);
  log.info('stopped');
  return 0;
}
