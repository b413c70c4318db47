import type { PlanTier } from '../config/types';

/** A plan tier's API quota: requests per minute and per day for one account. */
export interface PlanQuota {
  perMinute: number;
  perDay: number;
}

/** SendPulse's per-account quotas by plan tier (sendpulse-api.txt, "General quota limits"; issue 3). */
export const PLAN_QUOTAS: Readonly<Record<PlanTier, Readonly<PlanQuota>>> = {
  free: { perMinute: 1000, perDay: 500_000 },
  standard: { perMinute: 2000, perDay: 1_000_000 },
  enterprise: { perMinute: 3000, perDay: 3_000_000 },
};

/** SendPulse's hard limit per account and second (error 2020202020 past it), whatever the plan. */
export const MAX_REQUESTS_PER_SECOND = 10;
