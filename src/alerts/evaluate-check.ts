import type { AccountConfig, MonitorConfig } from '../config/types';
import type { AccountState } from '../state/reading-store';
import type { Severity } from './alert-types';
import { describeAlert } from './describe-alert';
import { observeOperationalRules, observeValueRules, type ObserveContext } from './observe-rules';
import type { Observation } from './rules';
import { severityFor, severityRank } from './severity-for';

/** One rule's verdict in `check`. */
export interface CheckFinding {
  severity: Exclude<Severity, 'ok'>;
  /** "balance 1.50 USD is below 2 USD". */
  headline: string;
  observation: Observation;
}

/** The worst severity over an account's rules and one finding per rule that is not ok. */
export interface CheckResult {
  severity: Severity;
  /** "CRITICAL: balance 1.50 USD is below 2 USD", one per finding. */
  problems: string[];
  findings: CheckFinding[];
  /** Every observation made (value rules and operational), for performance data. */
  observations: Observation[];
}

/**
 * The alert rules applied once to an account's state, for `check` (Nagios exit code 0/1/2): the same
 * rules and thresholds as the engine, without hysteresis, pendingPolls or history (no runway).
 */
export function evaluateCheck(config: MonitorConfig, account: AccountConfig, state: AccountState, now: number): CheckResult {
  const ctx: ObserveContext = { account, alerts: config.alerts, state, now, intervalFor: (e) => account.intervals[e], firstSeenMs: null };
  const observations = [...observeValueRules(ctx), ...observeOperationalRules(ctx)];
  let worst: Severity = 'ok';
  const findings: CheckFinding[] = [];
  for (const o of observations) {
    if (o.value === null) continue;
    const s = severityFor(o.value, o.thresholds, o.direction, 'ok', 0);
    if (s === 'ok') continue;
    if (severityRank(s) > severityRank(worst)) worst = s;
    findings.push({ severity: s, headline: describeAlert(o, s).headline, observation: o });
  }
  return { severity: worst, problems: findings.map((f) => `${f.severity.toUpperCase()}: ${f.headline}`), findings, observations };
}
