import { PLAN_QUOTAS } from '../budget/plan-quotas';
import type { BudgetConfig, PlanTier } from './types';

/** The budget as written in `accounts[].budget` (defaults already filled by the schema). */
export interface BudgetInput {
  perMinute?: number;
  perDay?: number;
  share: number;
  perSecond: number;
  onOverflow: 'stretch' | 'refuse';
}

/** Absolute numbers for an account's budget: `perMinute`/`perDay` as given, else `share` of the plan tier's quota, rounded down. */
export function resolveBudget(plan: PlanTier, input: BudgetInput): BudgetConfig {
  const quota = PLAN_QUOTAS[plan];
  return {
    perMinute: input.perMinute ?? shareOf(input.share, quota.perMinute),
    perDay: input.perDay ?? shareOf(input.share, quota.perDay),
    perSecond: input.perSecond,
    share: input.share,
    onOverflow: input.onOverflow,
  };
}

/** floor(share × quota), where a share such as 0.29 (0.29 × 100 = 28.999999999999996 in binary floating point) still gives 29. */
export function shareOf(share: number, quota: number): number {
  return Math.floor(share * quota + 1e-9);
}
