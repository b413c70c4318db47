import { describeActiveRules } from '../alerts/describe-active-rules';
import { assertPlanFits } from '../budget/assert-plan-fits';
import { planConfig } from '../budget/planner';
import { routeConsoleToLogger } from '../console-to-logger';
import { ClosingError, ConfigError, SpmError } from '../errors';
import { childLogger } from '../logger';
import { startMonitor, type Monitor } from '../worker';
import { loadConfigOrReport } from './load-config-or-report';
import { parseCommandLine, stringOption } from './parse-command-line';
import { waitForSignal } from './wait-for-signal';

/** SIGTERM to exit: the README promises 10 s (Kubernetes' default grace period is 30 s). */
const EXIT_WITHIN_MS = 9000;
/** Of which polls in flight may take this long to finish. */
const POLL_GRACE_MS = 6000;

/** `sendpulse-monitor run [--config FILE]`: the long-running worker and metrics server. */
export async function main(argv: string[]): Promise<number> {
  // First, so that a signal during the start is a clean stop, not Node's default exit 143.
  const signal = waitForSignal();
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
  // From here on every line on stderr is JSON, BullMQ's and ioredis's console prints included.
  routeConsoleToLogger(log);
  let monitor: Monitor;
  try {
    monitor = await startMonitor(config);
  } catch (err) {
    // startMonitor released what it had opened: one line and out.
    log.error({ code: err instanceof SpmError ? err.code : undefined }, (err as Error).message);
    return 1;
  }
  // A monitor that must not run (Redis may evict its keys, or a bug) ends the process like a signal
  // does, with its reason as the one error line: never half-alive.
  const failed = monitor.started.then(() => new Promise<never>(() => undefined), (err: unknown) => err);
  const first = await Promise.race([signal.then((sig) => ({ sig })), failed.then((err) => ({ err }))]);
  if ('err' in first && !(first.err instanceof ClosingError)) {
    const err = first.err as Error;
    log.error({ code: err instanceof SpmError ? err.code : undefined }, err.message);
    await closeBefore(monitor, log, 2000, 1);
    return 1;
  }
  log.info({ signal: 'sig' in first ? first.sig : undefined }, 'shutting down: finishing polls in flight');
  await closeBefore(monitor, log, POLL_GRACE_MS, 0);
  log.info('stopped');
  return 0;
}

/** After a finished close, how long the process may take to end by itself before it is ended, ms. */
const LINGER_MS = 1000;

/**
 * Closes the monitor and arms a deadline: should the close hang (a library waiting on a Redis that is
 * gone), the process exits with `code` EXIT_WITHIN_MS after the stop began. After a finished close
 * the process normally ends at once; it is ended after LINGER_MS when a library still holds a timer:
 * BullMQ's watchdog of a blocking command (up to 11 s) outlives a connection closed while Redis is
 * down, because ioredis 5 never settles a command that was in flight when the connection dropped if
 * it never reconnects (redis/ioredis#2197). Both timers are unref'd: they never keep the process up.
 */
async function closeBefore(monitor: Monitor, log: ReturnType<typeof childLogger>, graceMs: number, code: number): Promise<void> {
  setTimeout(() => {
    log.warn(`the shutdown did not finish within ${EXIT_WITHIN_MS / 1000} s; exiting anyway`);
    process.exit(code);
  }, EXIT_WITHIN_MS).unref();
  await monitor.close(graceMs);
  setTimeout(() => {
    log.debug({ left: process.getActiveResourcesInfo() }, 'ending the process: a library still holds a timer or socket after the close');
    process.exit(code);
  }, LINGER_MS).unref();
}
