import type { AccountConfig, MonitorConfig } from '../config/types';
import type { AccountState } from '../state/reading-store';
import type { Severity } from './alert-types';
import { describeAlert } from './describe-alert';
import { observeOperationalRules, observeValueRules } from './observe-rules';
import { severityFor, severityRank } from './severity-for';

/** The worst severity over an account's rules and one line per rule that is not ok. */
export interface CheckResult {
  severity: Severity;
  problems: string[];
}

/**
 * The alert rules applied once to an account's state, for `check` (Nagios exit code 0/1/2): the same
 * rules and thresholds as the engine, without hysteresis, pendingPolls or history (no runway).
 */
export function evaluateCheck(config: MonitorConfig, account: AccountConfig, state: AccountState, now: number): CheckResult {
  const obs = [
    ...observeValueRules(account, state, now, { balance: null, email: null }),
    ...observeOperationalRules(config.alerts, account, state, now, account.intervals, null),
  ];
  let worst: Severity = 'ok';
  const problems: string[] = [];
  for (const o of obs) {
    if (o.value === null) continue;
    const s = severityFor(o.value, o.thresholds, o.direction, 'ok', 0);
    if (s === 'ok') continue;
    if (severityRank(s) > severityRank(worst)) worst = s;
    problems.push(`${s.toUpperCase()}: ${describeAlert(o, s).headline}`);
  }
  return { severity: worst, problems };
}
