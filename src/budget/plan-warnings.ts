import { describeCost, describeIntervals } from './describe-plan';
import type { ConfigPlan } from './planner';

/** One warning line per account whose intervals were stretched (or cannot fit at all), with planned and effective intervals. */
export function planWarnings(plan: ConfigPlan): string[] {
  const out: string[] = [];
  for (const p of plan.accounts) {
    if (p.status === 'stretched') {
      out.push(
        `account "${p.account}": the configured intervals would make ${describeCost(p)}; `
        + `stretched x${(p.stretchFactor ?? 1).toFixed(2)} from ${describeIntervals(p.intervals)} `
        + `to ${describeIntervals(p.effectiveIntervals)} (${p.effective.perMinute}/min, ${p.effective.perDay}/day)`,
      );
    } else if (p.status === 'unfittable') {
      out.push(
        `account "${p.account}": ${describeCost(p)}, and no stretch of the intervals fits; `
        + 'polls will wait for the budget and arrive late: raise accounts[].budget',
      );
    }
  }
  return out;
}
