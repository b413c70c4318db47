import type { AccountConfig, AlertsConfig, Level, Levels, Thresholds } from '../../config/types';
import type { Parser } from '../../config/value-parsers';
import type { Endpoint } from '../../sendpulse/endpoints';
import type { AccountState } from '../../state/reading-store';
import type { Severity } from '../alert-types';

import type { Direction } from '../severity-for';

export type { Direction };

/** How a value is written in a notification. */
export type Unit = 'money' | 'count' | 'bytes' | 'ratio' | 'duration' | 'flag';

/** One rule's view of an account right now; `value` null means "no data": the alert keeps its state. */
export interface Observation {
  rule: string;
  service: string;
  value: number | null;
  /** The levels as amounts of `value` (a `10%` level already multiplied by the limit). */
  thresholds: Thresholds;
  direction: Direction;
  unit: Unit;
  currency: string | null;
  /** How each level was written when it was a fraction of a limit: "10 % of 1000"; for the texts. */
  levelNotes?: Partial<Record<'warning' | 'critical', string>>;
  /** The field whose history goes with a notification ("recent readings") and its runway, if any. */
  series?: string;
}

/** What a rule reads to observe one account. */
export interface ObserveInput {
  account: AccountConfig;
  alerts: AlertsConfig;
  state: AccountState;
  now: number;
  /** The rule's setting for this account: its Levels (two-level rules) or true (operational rules). */
  levels: Levels;
  /** The effective poll interval of an endpoint of this account, ms. */
  intervalFor(endpoint: Endpoint): number;
  /** Stand-in for the last good poll of an endpoint that never had one (ms epoch; when the account was first seen), or null. */
  firstSeenMs: number | null;
  /** The runway forecast of a field (ms until zero at the recent rate; Infinity when not falling), null without enough history. */
  runway(field: string): number | null;
  /** The fields the account's value rules watch (for the unreadable rule). */
  watchedFields: readonly string[];
}

/** The human words of one alert: the subject sentence, firing or back to normal. */
export type Headline = (o: Observation, severity: Severity, valueText: string, thresholdText: string) => string;

/** What every rule has. */
interface RuleBase {
  /** The config key and the `alert` label: `balance`, `smtpEmailsLeft`, ... */
  name: string;
  /**
   * Its twins in the Helm chart's PrometheusRule (helm/sendpulse-monitor/rules/alerts.yaml), by
   * severity, and the `alertname` the monitor posts to Alertmanager. Warning and critical are named
   * apart because kube-prometheus-stack's default inhibit rule (equal: [namespace, alertname]) would
   * otherwise let one account's critical silence another account's warning.
   */
  alertnames: { warning: string; critical: string };
  /** README row: when it fires, and an example setting. */
  doc: { fires: string; services: string; example: string };
  observe(input: ObserveInput): Observation[];
  headline: Headline;
  /** How a value is written when the unit's way does not say it ("ends in 6d 23h"); default by unit. */
  valueText?(value: number): string;
}

/**
 * A rule driven by the readings and two thresholds, `{ warning, critical }`. Off unless configured
 * (or a `default` is given); `false` turns it off.
 */
export interface ValueRule extends RuleBase {
  kind: 'value';
  /** How one level is read from the config (a number, `10%`, `7d`, `500Mb`); problems without the key path. */
  level: Parser<Level>;
  /** What an amount level is (a duration, bytes, money, ...), for config messages and texts. */
  levelUnit: Unit;
  direction: Direction;
  /** Levels in force when the config does not mention the rule; absent: off by default. */
  default?: Levels;
  /** The endpoint whose readings it watches: it is judged after each poll of it, and only on a good one. */
  endpoint: Endpoint;
  /** The fields it watches; an unreadable one holds the alert and, after `alerts.staleAfter` intervals, fires `unreadable`. */
  watches: readonly string[];
  /** Fields whose history it needs kept (runway, recent readings in notifications). */
  history: readonly string[];
}

/** A rule about the monitoring itself (credentials, stale data, unreadable fields): on unless `false`. */
export interface OperationalRule extends RuleBase {
  kind: 'operational';
}

/** Any rule. */
export type AlertRule = ValueRule | OperationalRule;

const RANK = { warning: 0, critical: 1 } as const;

/** A level resolved against a limit: an amount as is, a fraction times the limit (null when the limit is unknown or 0). */
export function resolveLevel(level: Level, limit: number | null): number | null {
  if (typeof level === 'number') return level;
  return limit === null || limit <= 0 ? null : level.fraction * limit;
}

/**
 * The observation of a two-level value rule: `value` against `levels`, fractions resolved against
 * `limit`. No value, or a fraction with no known limit, is no data (null): the alert neither fires
 * nor resolves.
 */
export function twoLevel(rule: ValueRule, input: ObserveInput, service: string, value: number | null, unit: Unit,
  opts: { limit?: number | null; currency?: string | null; series?: string } = {}): Observation {
  const levels = input.levels;
  const limit = opts.limit ?? null;
  const warning = resolveLevel(levels.warning, limit);
  const critical = resolveLevel(levels.critical, limit);
  const notes: Observation['levelNotes'] = {};
  for (const k of Object.keys(RANK) as ('warning' | 'critical')[]) {
    const l = levels[k];
    if (typeof l !== 'number' && limit !== null) notes[k] = `${Number((l.fraction * 100).toFixed(4))} % of ${limit}`;
  }
  const known = value !== null && warning !== null && critical !== null;
  return {
    rule: rule.name, service, value: known ? value : null,
    thresholds: { warning: warning ?? NaN, critical: critical ?? NaN },
    direction: rule.direction, unit, currency: opts.currency ?? null,
    ...(Object.keys(notes).length > 0 ? { levelNotes: notes } : {}),
    ...(opts.series ? { series: opts.series } : {}),
  };
}
