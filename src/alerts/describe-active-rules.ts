import { formatDuration } from '../config/duration';
import type { AccountConfig, Level, Levels } from '../config/types';
import { formatTrafficBytes } from '../sendpulse/fields/traffic-bytes';
import { ALERT_RULES, VALUE_RULES, type ValueRule } from './rules';

/** Which alert rules are on for one account, in words (for `run`'s start log and `check`). */
export interface ActiveRules {
  /** `balance below 10/2`, `tariffExpiry below 7d/1d`, `credentials`, `stale`: warning/critical levels, in the rules' order. */
  rules: string[];
  /** True when no value rule without a default (balance, emailsLeft, ...) is on: they need thresholds in the config. */
  noValueRule: boolean;
  /** One line: `rules: balance below 10/2 (levels are warning/critical), ...` plus a plain note when no value rule is on. */
  summary: string;
}

/** The value rules that are off until the config gives their thresholds (they need a currency or a plan to mean anything). */
const NEED_THRESHOLDS = VALUE_RULES.filter((r) => r.default === undefined).map((r) => r.name);

function levelText(rule: ValueRule, level: Level): string {
  if (typeof level !== 'number') return `${Number((level.fraction * 100).toFixed(4))}%`;
  switch (rule.levelUnit) {
    case 'duration': return formatDuration(level);
    case 'bytes': return formatTrafficBytes(level);
    case 'ratio': return `${Number((level * 100).toFixed(2))}%`;
    default: return String(level);
  }
}

/** Describes `account.alerts.rules` (the rules after merging the account's over the global ones and the defaults). */
export function describeActiveRules(account: AccountConfig): ActiveRules {
  const set = account.alerts.rules;
  const rules: string[] = [];
  for (const rule of ALERT_RULES) {
    const v = set[rule.name];
    if (rule.kind === 'operational') {
      if (v === true) rules.push(rule.name);
    } else if (v && typeof v === 'object') {
      const l = v as Levels;
      rules.push(`${rule.name} ${rule.direction === 'below' ? 'below' : 'at or above'} ${levelText(rule, l.warning)}/${levelText(rule, l.critical)}`);
    }
  }
  const noValueRule = NEED_THRESHOLDS.every((name) => set[name] === undefined);
  const list = rules.length ? `rules: ${rules.join(', ')} (levels are warning/critical)` : 'no alert rule is on';
  const note = noValueRule ? `; no value rule: ${NEED_THRESHOLDS.join(', ')} are off until alerts.rules gives their thresholds` : '';
  return { rules, noValueRule, summary: `${list}${note}` };
}
