import { format } from 'node:util';
import type { Logger } from 'pino';

// BullMQ warns with console.warn on every connection it opens when Redis may evict keys
// (redis-connection.js). The monitor checks the policy itself and says so once (redis-config-check.ts),
// so these repeats go to debug.
const REPEATS_OUR_OWN_CHECK = /^IMPORTANT! Eviction policy is /;

function text(args: unknown[]): string {
  // An Error becomes its first line: console.error(err) would print the stack over many lines.
  const parts = args.map((a) => (a instanceof Error ? `${a.name}: ${a.message.split('\n')[0]}` : a));
  return format(...parts).replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Sends what libraries print with console.warn / console.error / console.log (BullMQ's warnings and
 * last-resort error prints, ioredis's "Unhandled error event") through `log` as JSON lines, so that
 * every line a long-running process writes is JSON and no stack trace reaches the log. Returns a
 * function that puts the console back. Only for `run`-like commands: commands that print to people
 * (check, validate, plan) keep the ordinary console.
 */
export function routeConsoleToLogger(log: Logger): () => void {
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
  const from = log.child({ source: 'console' });
  console.warn = (...args: unknown[]) => {
    const msg = text(args);
    if (REPEATS_OUR_OWN_CHECK.test(msg)) from.debug(msg);
    else from.warn(msg);
  };
  console.error = (...args: unknown[]) => from.error(text(args));
  console.log = (...args: unknown[]) => from.info(text(args));
  console.info = console.log;
  console.debug = (...args: unknown[]) => from.debug(text(args));
  return () => Object.assign(console, saved);
}
