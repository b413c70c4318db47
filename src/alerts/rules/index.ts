import { balanceRule } from './balance';
import { credentialsRule } from './credentials';
import { emailsLeftRule } from './emails-left';
import type { AlertRule, OperationalRule, ValueRule } from './rule-def';
import { runwayRule } from './runway';
import { smtpEmailsLeftRule } from './smtp-emails-left';
import { smtpTrafficRule } from './smtp-traffic';
import { staleRule } from './stale';
import { subscribersRule } from './subscribers';
import { tariffExpiryRule } from './tariff-expiry';
import { unreadableRule } from './unreadable';

/**
 * Every alert rule, one file each, in the order the config reports problems and the README lists
 * them. The config schema, the engine, `check`, the texts and the docs checks all read this list:
 * a new rule is one file, a line here, its PrometheusRule twin in the chart and its README row.
 */
export const ALERT_RULES: readonly AlertRule[] = [
  balanceRule,
  emailsLeftRule,
  smtpEmailsLeftRule,
  smtpTrafficRule,
  tariffExpiryRule,
  subscribersRule,
  runwayRule,
  credentialsRule,
  staleRule,
  unreadableRule,
];

/** The two-level rules driven by readings. */
export const VALUE_RULES: readonly ValueRule[] = ALERT_RULES.filter((r): r is ValueRule => r.kind === 'value');

/** The rules about the monitoring itself (on unless turned off). */
export const OPERATIONAL_RULES: readonly OperationalRule[] = ALERT_RULES.filter((r): r is OperationalRule => r.kind === 'operational');

const BY_NAME = new Map(ALERT_RULES.map((r) => [r.name, r]));

/** The rule of that name (the `alert` label), or undefined. */
export function ruleNamed(name: string): AlertRule | undefined {
  return BY_NAME.get(name);
}

export type { AlertRule, Direction, Observation, ObserveInput, OperationalRule, Unit, ValueRule } from './rule-def';
