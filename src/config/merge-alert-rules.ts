import { ALERT_RULES } from '../alerts/rules';
import type { AlertRules, Level, Levels } from './types';

/** A rule's levels as written: off (`false`), or levels that may be partial in an account override. */
export type RuleInput = false | { warning?: Level; critical?: Level } | undefined;

/** An account's rule: its own levels over the global ones; `false` turns the rule off for that account. */
export function mergeThresholds(global: RuleInput, override: RuleInput): { warning?: Level; critical?: Level } | undefined {
  if (override === false) return undefined;
  const base = global === false ? undefined : global;
  if (override === undefined) return base;
  return { ...base, ...withoutUndefined(override) };
}

function withoutUndefined(t: { warning?: Level; critical?: Level }): { warning?: Level; critical?: Level } {
  const out: { warning?: Level; critical?: Level } = {};
  if (t.warning !== undefined) out.warning = t.warning;
  if (t.critical !== undefined) out.critical = t.critical;
  return out;
}

/** `alerts.rules` or an account's `alerts.rules` as the schema returns them. */
export type RulesInput = Record<string, RuleInput | boolean>;

const complete = (t: { warning?: Level; critical?: Level } | undefined): Levels | undefined =>
  t && t.warning !== undefined && t.critical !== undefined ? { warning: t.warning, critical: t.critical } : undefined;

/**
 * The global setting of a value rule: as written, or the rule's default (tariffExpiry 7d/1d) when the
 * config does not mention it; `false` stays off.
 */
export function globalLevels(name: string, written: RuleInput | boolean | undefined): RuleInput {
  if (written !== undefined) return written as RuleInput;
  const rule = ALERT_RULES.find((r) => r.name === name);
  return rule?.kind === 'value' ? rule.default : undefined;
}

/** The rules in force for one account (validated input: a merged rule has both levels). */
export function mergeAlertRules(global: RulesInput, override: RulesInput): AlertRules {
  const rules: AlertRules = {};
  for (const rule of ALERT_RULES) {
    if (rule.kind === 'operational') {
      const own = override[rule.name];
      const g = global[rule.name];
      rules[rule.name] = typeof own === 'boolean' ? own : g !== false;
      continue;
    }
    const merged = complete(mergeThresholds(globalLevels(rule.name, global[rule.name]), override[rule.name] as RuleInput));
    if (merged) rules[rule.name] = merged;
  }
  return rules;
}
