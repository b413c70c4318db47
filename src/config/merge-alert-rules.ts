import type { AlertRules, Thresholds } from './types';

/** A rule as written: off (`false`), or levels that may be partial in an account override. */
export type RuleInput = false | { warning?: number; critical?: number } | undefined;

/** An account's rule: its own levels over the global ones; `false` turns the rule off for that account. */
export function mergeThresholds(global: RuleInput, override: RuleInput): { warning?: number; critical?: number } | undefined {
  if (override === false) return undefined;
  const base = global === false ? undefined : global;
  if (override === undefined) return base;
  return { ...base, ...withoutUndefined(override) };
}

function withoutUndefined(t: { warning?: number; critical?: number }): { warning?: number; critical?: number } {
  const out: { warning?: number; critical?: number } = {};
  if (t.warning !== undefined) out.warning = t.warning;
  if (t.critical !== undefined) out.critical = t.critical;
  return out;
}

type RulesInput = {
  balance?: RuleInput;
  emailsLeft?: RuleInput;
  tariffExpiry?: RuleInput;
  subscribers?: RuleInput;
  runway?: RuleInput;
  credentials?: boolean;
  stale?: boolean;
};

const complete = (t: { warning?: number; critical?: number } | undefined): Thresholds | undefined =>
  t && t.warning !== undefined && t.critical !== undefined ? { warning: t.warning, critical: t.critical } : undefined;

/** The rules in force for one account (validated input: a merged rule has both levels). */
export function mergeAlertRules(global: RulesInput & { credentials: boolean; stale: boolean }, override: RulesInput): AlertRules {
  const rules: AlertRules = {
    credentials: override.credentials ?? global.credentials,
    stale: override.stale ?? global.stale,
  };
  for (const name of ['balance', 'emailsLeft', 'tariffExpiry', 'subscribers', 'runway'] as const) {
    const merged = complete(mergeThresholds(global[name], override[name]));
    if (merged) rules[name] = merged;
  }
  return rules;
}
