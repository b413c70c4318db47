import { ENDPOINTS, type AccountConfig, type BudgetConfig, type Endpoint, type MonitorConfig, type PlanTier } from '../config/types';
import { PLAN_QUOTAS, type PlanQuota } from './plan-quotas';
import { planCost, type Intervals, type PlanCost } from './plan-cost';

/** What the planner decided for an account. */
export type PlanStatus =
  /** The configured intervals fit the budget. */
  | 'fits'
  /** They did not; onOverflow 'stretch' stretched them (effectiveIntervals). */
  | 'stretched'
  /** They did not and onOverflow is 'refuse': `run` and `validate` fail. */
  | 'refused'
  /** No stretch can make it fit (the budget is below one poll of each endpoint per window). */
  | 'unfittable';

/** The planner's verdict on one account. */
export interface AccountPlan {
  account: string;
  tier: PlanTier;
  auth: AccountConfig['auth']['kind'];
  budget: BudgetConfig;
  /** The plan tier's quota. */
  quota: PlanQuota;
  /** As configured. */
  intervals: Intervals;
  /** Requests the configured intervals make. */
  planned: PlanCost;
  /** Whether `planned` fits the budget. */
  fits: boolean;
  /** The same-factor stretch of `intervals` with the smallest factor that fits (whole seconds); null when none can. */
  fittingIntervals: Intervals | null;
  /** The smallest f such that every interval × f, rounded up to a whole second, fits (1 when it fits as configured). */
  stretchFactor: number | null;
  /** What the worker schedules: `fittingIntervals` when stretched, else `intervals`. */
  effectiveIntervals: Intervals;
  /** Requests the effective intervals make. */
  effective: PlanCost;
  /** effective / the tier's quota, per minute and per day (0.004 = 0.4 %). */
  quotaShare: { perMinute: number; perDay: number };
  status: PlanStatus;
}

/** The verdict on every account of a config, in config order. */
export interface ConfigPlan {
  accounts: AccountPlan[];
}

/** Whether a cost stays inside a budget: the worst minute, the day and the long-run rate per second. */
export function costFits(cost: PlanCost, budget: BudgetConfig): boolean {
  return cost.perMinute <= Math.floor(budget.perMinute)
    && cost.perDay <= Math.floor(budget.perDay)
    && cost.sustainedPerSecond <= Math.floor(budget.perSecond);
}

function scale(intervals: Intervals, factor: number, slackMs = 0): Intervals {
  // Whole seconds: readable, and rounding up only lowers the cost.
  const up = (ms: number) => Math.max(ms, Math.ceil((ms * factor - slackMs) / 1000) * 1000);
  return Object.fromEntries(ENDPOINTS.map((e) => [e, up(intervals[e])])) as Intervals;
}

/**
 * The smallest factor f (and its intervals) such that every interval × f fits. The cost is a
 * non-increasing step function of f, so the fitting factors form [f*, ∞): find an upper bound by
 * doubling, then bisect. Token renewals do not stretch, so some budgets never fit: null.
 */
function smallestFit(intervals: Intervals, auth: AccountPlan['auth'], budget: BudgetConfig): { factor: number; intervals: Intervals } | null {
  const fits = (f: number) => costFits(planCost(scale(intervals, f), auth), budget);
  let lo = 1;
  let hi = 2;
  while (!fits(hi)) {
    lo = hi;
    hi *= 2;
    if (hi > 2 ** 40) return null;
  }
  for (let i = 0; i < 100 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (fits(mid)) hi = mid;
    else lo = mid;
  }
  // hi is f* plus float noise (3600 s × 1.2333… = 4440.0000001 s, rounding up to 4441 s): take each
  // interval 1 ms lower before rounding where the result still fits.
  const chosen = scale(intervals, hi);
  for (const key of ENDPOINTS) {
    const trial = { ...chosen, [key]: scale(intervals, hi, 1)[key] };
    if (costFits(planCost(trial, auth), budget)) chosen[key] = trial[key];
  }
  return { factor: hi, intervals: chosen };
}

/** Plans one account: its cost as configured, whether it fits, and the intervals the worker will use. */
export function planAccount(account: AccountConfig): AccountPlan {
  const auth = account.auth.kind;
  const budget = account.budget;
  const quota = PLAN_QUOTAS[account.plan];
  const intervals = { ...account.intervals };
  const planned = planCost(intervals, auth);
  const fits = costFits(planned, budget);
  const fit = fits ? { factor: 1, intervals } : smallestFit(intervals, auth, budget);
  let status: PlanStatus = 'fits';
  if (!fits) status = budget.onOverflow === 'refuse' ? 'refused' : fit ? 'stretched' : 'unfittable';
  const effectiveIntervals = status === 'stretched' && fit ? fit.intervals : intervals;
  const effective = planCost(effectiveIntervals, auth);
  return {
    account: account.name,
    tier: account.plan,
    auth,
    budget,
    quota,
    intervals,
    planned,
    fits,
    fittingIntervals: fit?.intervals ?? null,
    stretchFactor: fit?.factor ?? null,
    effectiveIntervals,
    effective,
    quotaShare: { perMinute: effective.perMinute / quota.perMinute, perDay: effective.perDay / quota.perDay },
    status,
  };
}

/** Plans every account of the config. */
export function planConfig(config: MonitorConfig): ConfigPlan {
  return { accounts: config.accounts.map(planAccount) };
}

/** The effective interval (ms) of an account's endpoint, for the worker's scheduler; the configured one for accounts the plan does not know. */
export function effectiveIntervalFor(plan: ConfigPlan): (account: AccountConfig, endpoint: Endpoint) => number {
  const byName = new Map(plan.accounts.map((p) => [p.account, p]));
  return (account, endpoint) => (byName.get(account.name)?.effectiveIntervals ?? account.intervals)[endpoint];
}
