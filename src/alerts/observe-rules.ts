import type { AccountConfig, AlertsConfig, Levels } from '../config/types';
import { ENDPOINT_DEFS, type Endpoint } from '../sendpulse/endpoints';
import { date } from '../sendpulse/fields/field-readers';
import type { AccountState } from '../state/reading-store';
import { OPERATIONAL_RULES, VALUE_RULES, type AlertRule, type Observation, type ValueRule } from './rules';

/** What observing an account's rules needs besides the rules themselves. */
export interface ObserveContext {
  account: AccountConfig;
  alerts: AlertsConfig;
  state: AccountState;
  now: number;
  intervalFor(endpoint: Endpoint): number;
  /** Stand-in for the last good poll of an endpoint never polled well (ms epoch), or null. */
  firstSeenMs: number | null;
  /** Runway forecasts by field (ms to zero; Infinity when not falling); a field left out has none. */
  runways?: ReadonlyMap<string, number | null>;
}

// Per account's rules object (which never changes while the monitor runs): these are asked for every
// rule of every poll.
const activeCache = new WeakMap<object, { rule: ValueRule; levels: Levels }[]>();
const watchedCache = new WeakMap<object, string[]>();

/** The value rules on for an account, with their levels. */
export function activeValueRules(account: AccountConfig): { rule: ValueRule; levels: Levels }[] {
  let active = activeCache.get(account.alerts.rules);
  if (!active) {
    active = VALUE_RULES.flatMap((rule) => {
      const levels = account.alerts.rules[rule.name];
      return typeof levels === 'object' ? [{ rule, levels }] : [];
    });
    activeCache.set(account.alerts.rules, active);
  }
  return active;
}

/** The operational rules on for an account. */
export function activeOperationalRules(account: AccountConfig): AlertRule[] {
  return OPERATIONAL_RULES.filter((rule) => account.alerts.rules[rule.name] !== false);
}

/** Every field the account's active value rules watch, once each. */
export function watchedFields(account: AccountConfig): string[] {
  let watched = watchedCache.get(account.alerts.rules);
  if (!watched) {
    watched = [...new Set(activeValueRules(account).flatMap(({ rule }) => rule.watches))];
    watchedCache.set(account.alerts.rules, watched);
  }
  return watched;
}

/** Series kept for every account whatever its rules, for the status page's charts: the balance, the e-mail and the SMTP credits. */
export const CHART_FIELDS: readonly string[] = ['balance.main', 'email.emails_left', 'smtp.email_qty_left'];

const DATE_FIELDS = new Set(Object.values(ENDPOINT_DEFS).flatMap((d) => d.fields.filter((f) => f.read === date).map((f) => f.path)));

/**
 * Fields whose history is kept for the account (recorded after every good poll): the chart fields,
 * every value its active value rules watch (end dates left out: a date is not a trend) and the
 * history they need (runway). A rule turned on later starts its series then.
 */
export function historyFields(account: AccountConfig): string[] {
  const fromRules = activeValueRules(account).flatMap(({ rule }) => [...rule.watches.filter((f) => !DATE_FIELDS.has(f)), ...rule.history]);
  return [...new Set([...CHART_FIELDS, ...fromRules])];
}

function observe(rule: AlertRule, levels: Levels, ctx: ObserveContext): Observation[] {
  return rule.observe({
    account: ctx.account, alerts: ctx.alerts, state: ctx.state, now: ctx.now, levels,
    intervalFor: ctx.intervalFor, firstSeenMs: ctx.firstSeenMs,
    runway: (field) => ctx.runways?.get(field) ?? null,
    watchedFields: watchedFields(ctx.account),
  });
}

const NO_LEVELS: Levels = { warning: 0, critical: 0 };

/** The active value rules' observations of the endpoint's latest reading (all endpoints when left out). */
export function observeValueRules(ctx: ObserveContext, endpoint?: Endpoint): Observation[] {
  return activeValueRules(ctx.account)
    .filter(({ rule }) => endpoint === undefined || rule.endpoint === endpoint)
    .flatMap(({ rule, levels }) => observe(rule, levels, ctx));
}

/** The active operational rules' observations (credentials, stale, unreadable). */
export function observeOperationalRules(ctx: ObserveContext): Observation[] {
  return activeOperationalRules(ctx.account).flatMap((rule) => observe(rule, NO_LEVELS, ctx));
}
