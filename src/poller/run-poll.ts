import type { Logger } from 'pino';
import { formatDuration } from '../config/duration';
import type { AccountConfig } from '../config/types';
import { BudgetExhaustedError, ErrorCodes, SpmError, hasCode } from '../errors';
import type { ClientMetrics } from '../metrics/client-metrics';
import { ENDPOINT_DEFS, type Endpoint } from '../sendpulse/endpoints';
import type { Reading } from '../sendpulse/readings';
import type { SendPulseClient } from '../sendpulse/sendpulse-client';
import type { AccountState, HistoryWrites, ReadingStore, SaveOutcome } from '../state/reading-store';
import type { AuthBackoff } from './auth-backoff';
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
  /** Called after the outcome is stored (alerts), with the account's state right after a good poll's save. */
  onPolled?: (account: AccountConfig, endpoint: Endpoint, outcome: 'ok' | 'failed', state?: AccountState) => Promise<void>;
  /** Called right after a good poll's save with what it answered (the metrics cache renders the account from it: no read). */
  onSaved?: (account: string, saved: SaveOutcome) => void;
  /** The history points a good poll records with its reading (in the same script), if any. */
  history?: (account: AccountConfig, endpoint: Endpoint, reading: Reading) => HistoryWrites | undefined;
  /** Called once when a poll succeeds after the credentials were rejected (the end of a back-off); `endpoint` is the poll's. */
  onCredentialsRecovered?: (account: AccountConfig, endpoint: Endpoint) => Promise<void>;
  now?: () => number;
}

/**
 * Polls one endpoint of one account: fetch, parse, store. A reading with unreadable fields is a good
 * poll (the readable values are kept; each unreadable field is counted and logged once when it
 * becomes unreadable and once when it reads again). Every failure is recorded (metric, state) and
 * swallowed, so one endpoint or account never breaks another. A BudgetExhaustedError is rethrown: it
 * is not a failure, the caller delays the job until the budget has room.
 */
export async function runPoll(deps: PollDeps, account: AccountConfig, endpoint: Endpoint): Promise<PollOutcome> {
  const now = deps.now ?? Date.now;
  const def = ENDPOINT_DEFS[endpoint];
  // The credential back-off is checked by the budget, in the same script as every request (RequestBudget.pausedKey).
  let reading: Reading;
  try {
    const body = await deps.client.get(account, endpoint, def.path);
    reading = def.parse(body, { timeZone: account.timezone });
  } catch (err) {
    if (err instanceof BudgetExhaustedError && err.window === 'credentials') return 'skipped';
    if (hasCode(err, ErrorCodes.BUDGET)) throw err;
    await recordFailure(deps, account, endpoint, err, now());
    return 'failed';
  }
  for (const p of reading.unreadable) deps.metrics.fieldErrors.inc({ endpoint, field: p.path });
  const saved = await deps.store.saveSuccess(account.name, endpoint, reading, now(), deps.history?.(account, endpoint, reading));
  deps.onSaved?.(account.name, saved);
  if (saved.authRecovered) {
    await deps.authBackoff.succeeded(account.name);
    deps.log.info({ account: account.name }, 'credentials accepted again; polling the other endpoints now, then at the normal rate');
    await deps.onCredentialsRecovered?.(account, endpoint);
  }
  // One line per change, not per poll; the path and the kind of problem, never the value (it may be personal).
  for (const field of saved.becameUnreadable) {
    const problem = reading.unreadable.find((p) => p.path === field)?.problem ?? 'unreadable';
    deps.log.warn({ account: account.name, endpoint, field }, `field ${field} of ${def.path} is unreadable (${problem}); the rest of the answer is kept`);
  }
  for (const field of saved.readableAgain) {
    deps.log.info({ account: account.name, endpoint, field }, `field ${field} of ${def.path} reads again`);
  }
  await deps.onPolled?.(account, endpoint, 'ok', saved.state);
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
      deps.log.error({ account: account.name, endpoint, code }, `credentials rejected: ${message}; polling this account paused for ${Math.round(pauseMs / 1000)} s, doubling up to ${formatDuration(deps.authBackoff.maxMs)} until they work`);
    } else {
      deps.log.debug({ account: account.name, endpoint, code, pauseMs }, 'credentials still rejected');
    }
  } else {
    deps.log.warn({ account: account.name, endpoint, reason, code }, `poll failed: ${message}`);
  }
  await deps.onPolled?.(account, endpoint, 'failed');
}
