import type { Logger } from 'pino';
import type { AccountConfig, Endpoint } from '../config/types';
import { ErrorCodes, SpmError, hasCode } from '../errors';
import type { ClientMetrics } from '../metrics/client-metrics';
import type { SendPulseClient } from '../sendpulse/sendpulse-client';
import type { ReadingStore } from '../state/reading-store';
import type { AuthBackoff } from './auth-backoff';
import type { EndpointPoller } from './endpoint-poller';
import { failureReason } from './failure-reason';

/** What a poll did: read a good value, failed (recorded), or was skipped (credentials in back-off). */
export type PollOutcome = 'ok' | 'failed' | 'skipped';

/** What one poll needs. */
export interface PollDeps {
  client: SendPulseClient;
  store: ReadingStore;
  authBackoff: AuthBackoff;
  metrics: ClientMetrics;
  log: Logger;
  /** Called after the outcome is stored (alerts). */
  onPolled?: (account: AccountConfig, endpoint: Endpoint, outcome: 'ok' | 'failed') => Promise<void>;
  now?: () => number;
}

/**
 * Polls one endpoint of one account: fetch, parse, store. Every failure is recorded (metric, state) and
 * swallowed, so one endpoint or account never breaks another. A BudgetExhaustedError is rethrown: it is
 * not a failure, the caller delays the job until the budget has room.
 */
export async function runPoll(deps: PollDeps, account: AccountConfig, poller: EndpointPoller): Promise<PollOutcome> {
  const now = deps.now ?? Date.now;
  if ((await deps.authBackoff.remainingMs(account.name)) > 0) return 'skipped';
  let reading: unknown;
  try {
    const body = await deps.client.get(account, poller.endpoint, poller.path);
    reading = poller.parse(body, account);
  } catch (err) {
    if (hasCode(err, ErrorCodes.BUDGET)) throw err;
    await recordFailure(deps, account, poller.endpoint, err, now());
    return 'failed';
  }
  if (await deps.store.saveSuccess(account.name, poller.endpoint, reading as never, now())) {
    await deps.authBackoff.succeeded(account.name);
    deps.log.info({ account: account.name }, 'credentials accepted again; polling resumes at the normal rate');
  }
  await deps.onPolled?.(account, poller.endpoint, 'ok');
  return 'ok';
}

async function recordFailure(deps: PollDeps, account: AccountConfig, endpoint: Endpoint, err: unknown, at: number): Promise<void> {
  const reason = failureReason(err);
  deps.metrics.pollErrors.inc({ account: account.name, endpoint, reason });
  await deps.store.saveFailure(account.name, endpoint, reason, at);
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof SpmError ? err.code : 'unexpected';
  if (reason === 'auth' && !hasCode(err, ErrorCodes.TOKEN_BUSY)) {
    const pauseMs = await deps.authBackoff.failed(account.name);
    // One line per change of state, not per poll: the back-off keeps the rest quiet at debug level.
    if (await deps.store.setAuth(account.name, 'failing')) {
      deps.log.error({ account: account.name, endpoint, code }, `credentials rejected: ${message}; polling this account paused for ${Math.round(pauseMs / 1000)} s, doubling up to 30 min until they work`);
    } else {
      deps.log.debug({ account: account.name, endpoint, code, pauseMs }, 'credentials still rejected');
    }
  } else {
    deps.log.warn({ account: account.name, endpoint, reason, code }, `poll failed: ${message}`);
  }
  await deps.onPolled?.(account, endpoint, 'failed');
}
