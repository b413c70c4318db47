import type { AccountConfig, AlertsConfig, Endpoint, Thresholds } from '../config/types';
import { ENDPOINTS } from '../config/types';
import type { AccountState } from '../state/reading-store';
import type { RuleName } from './alert-types';
import type { Direction } from './severity-for';

/** How a value is written in a notification. */
export type Unit = 'money' | 'count' | 'ratio' | 'duration' | 'flag';

/** One rule's view of an account right now; `value` null means "no data": the alert keeps its state. */
export interface Observation {
  rule: RuleName;
  service: string;
  value: number | null;
  thresholds: Thresholds;
  direction: Direction;
  unit: Unit;
  currency: string | null;
}

/** What the runway forecast knows per series (null: not enough history). */
export interface RunwayInput {
  balance: number | null;
  email: number | null;
}

const TARIFF_SERVICES = ['email', 'smtp', 'push'] as const;

/**
 * The value rules' observations from the latest balance reading (and the runway forecast): one per
 * enabled rule and service. Rules left out of the config produce nothing.
 */
export function observeValueRules(account: AccountConfig, state: AccountState, now: number, runway: RunwayInput): Observation[] {
  const rules = account.alerts.rules;
  const r = state.endpoints.balance.reading;
  const currency = r?.balance?.currency ?? null;
  const out: Observation[] = [];
  const add = (rule: RuleName, service: string, value: number | null | undefined, t: Thresholds, direction: Direction, unit: Unit) =>
    out.push({ rule, service, value: value ?? null, thresholds: t, direction, unit, currency });

  if (rules.balance) add('balance', 'balance', r?.balance?.main, rules.balance, 'below', 'money');
  if (rules.emailsLeft) add('emailsLeft', 'email', r?.email?.emailsLeft, rules.emailsLeft, 'below', 'count');
  if (rules.subscribers) {
    const cur = r?.email?.currentSubscribers;
    const max = r?.email?.maximumSubscribers;
    add('subscribers', 'email', cur != null && max != null && max > 0 ? cur / max : null, rules.subscribers, 'above', 'ratio');
  }
  if (rules.tariffExpiry) {
    for (const svc of TARIFF_SERVICES) {
      const end = r?.[svc]?.endTime;
      // An end date already past gives a negative time left, below any critical threshold.
      add('tariffExpiry', svc, end == null ? null : end * 1000 - now, rules.tariffExpiry, 'below', 'duration');
    }
  }
  if (rules.runway) {
    add('runway', 'balance', runway.balance, rules.runway, 'below', 'duration');
    add('runway', 'email', runway.email, rules.runway, 'below', 'duration');
  }
  return out;
}

/** The poll interval of an endpoint, ms. */
export function intervalOf(intervals: { balance: number; userInfo: number; team: number }, ep: Endpoint): number {
  return ep === 'balance' ? intervals.balance : ep === 'team' ? intervals.team : intervals.userInfo;
}

/**
 * The operational rules' observations: `credentials` (1 while authentication fails) and `stale`
 * (ms since the last good poll of each endpoint, warning past staleAfterIntervals × its interval).
 * `firstSeenMs` stands in for the last good poll of an endpoint that never had one.
 */
export function observeOperationalRules(
  alerts: AlertsConfig, account: AccountConfig, state: AccountState, now: number,
  intervals: { balance: number; userInfo: number; team: number }, firstSeenMs: number | null,
): Observation[] {
  const out: Observation[] = [];
  const rules = account.alerts.rules;
  if (rules.credentials) {
    out.push({ rule: 'credentials', service: 'auth', value: state.auth === 'failing' ? 1 : 0,
      thresholds: { warning: 1, critical: 1 }, direction: 'above', unit: 'flag', currency: null });
  }
  // While the credentials alert fires it says why no poll succeeds: stale is inhibited (held, as with
  // missing data: it neither fires nor resolves), as Alertmanager's inhibit rules would, instead of one
  // more mail per endpoint.
  const inhibited = rules.credentials && state.auth === 'failing';
  if (rules.stale) {
    for (const ep of ENDPOINTS) {
      const last = state.endpoints[ep].lastSuccessMs ?? firstSeenMs;
      out.push({ rule: 'stale', service: ep, value: last === null || inhibited ? null : Math.max(0, now - last),
        thresholds: { warning: alerts.staleAfterIntervals * intervalOf(intervals, ep), critical: Infinity },
        direction: 'above', unit: 'duration', currency: null });
    }
  }
  return out;
}
