import { ConfigError } from '../errors';
import { describeCost, describeIntervals } from './describe-plan';
import type { ConfigPlan } from './planner';

/**
 * Throws a ConfigError with one line per account whose schedule does not fit its budget and that
 * says `onOverflow: refuse`: the numbers, and the smallest intervals that would fit.
 */
export function assertPlanFits(plan: ConfigPlan): void {
  const problems: string[] = [];
  plan.accounts.forEach((p, i) => {
    if (p.status !== 'refused') return;
    const fix = p.fittingIntervals
      ? `the smallest intervals that fit: ${describeIntervals(p.fittingIntervals)}`
      : 'no intervals fit: raise the budget (token renewals and one poll of each endpoint per window are the minimum)';
    problems.push(
      `accounts[${i}].budget: account "${p.account}" would make ${describeCost(p)} (onOverflow: refuse); `
      + `intervals ${describeIntervals(p.intervals)}; ${fix}`,
    );
  });
  if (problems.length > 0) throw new ConfigError(problems);
}
