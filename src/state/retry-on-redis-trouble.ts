import type { Logger } from 'pino';
import { ClosingError } from '../errors';
import { isRedisTrouble, type RedisHealth } from './redis-health';

/** Pause before trying again when the main connection still looks fine (the trouble was on another one), ms. */
const RETRY_PAUSE_MS = 1000;

/**
 * Runs a start-up step that needs Redis, again and again while it fails on Redis trouble (see
 * isRedisTrouble), each time once Redis answers: a Redis that goes away during the start delays the
 * start instead of ending it. Other errors are thrown; a ClosingError once `signal` aborts.
 */
export async function retryOnRedisTrouble<T>(step: string, fn: () => Promise<T>, deps: { health: RedisHealth; signal: AbortSignal; log: Logger }): Promise<T> {
  for (;;) {
    if (deps.signal.aborted) throw new ClosingError();
    await deps.health.untilReady(deps.signal);
    try {
      return await fn();
    } catch (err) {
      if (deps.signal.aborted) throw new ClosingError();
      if (!isRedisTrouble(err)) throw err;
      deps.log.debug({ step, err: (err as Error).message }, 'start-up step failed on Redis trouble; retrying when Redis answers');
      await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS));
    }
  }
}
