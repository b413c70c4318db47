import { ENDPOINTS, type AccountConfig, type Millis } from '../config/types';
import { renewAtMs } from '../sendpulse/token-lifetime';

/** Poll intervals of one account, ms (the shape of AccountConfig.intervals). */
export type Intervals = AccountConfig['intervals'];

/** The most requests an account makes in any one second, minute and day (worst case, not average). */
export interface PlanCost {
  perSecond: number;
  perMinute: number;
  perDay: number;
  /** Long-run requests per second (what the per-second budget must sustain). */
  sustainedPerSecond: number;
}

/** SendPulse's OAuth tokens live an hour (sendpulse-api.txt, "valid for 1 hour"). */
export const TOKEN_LIFETIME_MS = 3_600_000;

/** How often an OAuth account requests a token: the lifetime minus the client's renewal margin (55 min). */
export const TOKEN_RENEWAL_MS = renewAtMs(0, TOKEN_LIFETIME_MS);

const SPAN = { second: 1000, minute: 60_000, day: 86_400_000 };

/**
 * At most ceil(span / interval) runs of a fixed-interval job fall in any span: BullMQ starts every
 * scheduler on multiples of its interval, so endpoints with equal intervals fire in the same minute.
 */
function worstIn(span: number, interval: Millis): number {
  return Math.ceil(span / interval);
}

/**
 * The requests an account's schedule makes: one per poll of each endpoint plus, for OAuth accounts,
 * one token request per renewal. Not counted: the one extra token request and retry after a 401 on a
 * revoked token, which is rare and which the budget absorbs by delaying a poll.
 */
export function planCost(intervals: Intervals, auth: AccountConfig['auth']['kind']): PlanCost {
  const polls = ENDPOINTS.map((e) => intervals[e]);
  const token = auth === 'oauth' ? [TOKEN_RENEWAL_MS] : [];
  const all = [...polls, ...token];
  const sum = (span: number) => all.reduce((n, i) => n + worstIn(span, i), 0);
  return {
    perSecond: sum(SPAN.second),
    perMinute: sum(SPAN.minute),
    perDay: sum(SPAN.day),
    sustainedPerSecond: all.reduce((r, i) => r + 1000 / i, 0),
  };
}
