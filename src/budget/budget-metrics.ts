import { childLogger } from '../logger';
import { ENDPOINTS } from '../sendpulse/endpoints';
import { CachedFamily } from '../metrics/cached-family';
import { esc, val } from '../metrics/text-format';
import type { ConfigPlan } from './planner';
import { BUDGET_WINDOWS, type RequestBudget } from './request-budget';

const LIMIT = ['sendpulse_api_budget_limit', 'Requests the monitor allows itself per account and window (second, minute, day, sliding), across all replicas.'] as const;
const USED = ['sendpulse_api_budget_used', 'Requests to the SendPulse API counted in the budget window (second, minute, day, sliding) at the account\'s last request, by all replicas together, token requests included; 0 once the window has passed since.'] as const;
const RATE_LIMITED = ['sendpulse_api_rate_limited_total', 'Answers of 429 or error 2020202020 (rate limited) this process got from SendPulse; each paused the account.'] as const;
const INTERVAL = ['sendpulse_schedule_interval_seconds', 'Interval between background polls of the endpoint, after stretching to fit the budget.'] as const;

/** The budget families, kept as cached text per account (src/metrics/cached-family.ts). */
export interface BudgetMetrics {
  /**
   * The families up to date for a scrape: limits and intervals (fixed for the life of the process),
   * the 429 counts of this process, and the usage read from Redis, at most `usageMaxAgeMs` old: a
   * scrape that finds it older starts a refresh in the background and serves the last one (only the
   * first scrape waits), so a scrape never waits on every account's budget windows.
   */
  families(): Promise<CachedFamily[]>;
  /** Reads the usage of every account now (one pipelined pass) and waits for it. */
  refreshUsage(): Promise<void>;
}

/** Options; defaults next to each. */
export interface BudgetMetricsOptions {
  /** How old the usage shown may be, ms; default 5 s (a scrape every 15 s sees one at most ~20 s old). */
  usageMaxAgeMs?: number;
}

/**
 * Returns the budget families: sendpulse_api_budget_limit, sendpulse_schedule_interval_seconds,
 * sendpulse_api_budget_used and sendpulse_api_rate_limited_total, per account, as cached text.
 * Text rather than prom-client metrics: at 10,000 accounts these are ~100,000 series, and rebuilding
 * them on every scrape was most of the /metrics time (bench/RESULTS.md).
 */
export function budgetMetrics(budget: RequestBudget, plan: ConfigPlan, opts: BudgetMetricsOptions = {}): BudgetMetrics {
  const log = childLogger({ component: 'budget-metrics' });
  const names = plan.accounts.map((p) => p.account);
  const maxAge = opts.usageMaxAgeMs ?? 5000;
  const limit = new CachedFamily(LIMIT[0], LIMIT[1], 'gauge');
  const interval = new CachedFamily(INTERVAL[0], INTERVAL[1], 'gauge');
  const used = new CachedFamily(USED[0], USED[1], 'gauge');
  const limited = new CachedFamily(RATE_LIMITED[0], RATE_LIMITED[1], 'counter');
  for (const account of names) {
    const limits = budget.limits(account);
    limit.set(account, BUDGET_WINDOWS.map((w) => `${LIMIT[0]}{account="${esc(account)}",window="${w}"} ${val(limits[w])}\n`).join(''));
  }
  for (const p of plan.accounts) {
    interval.set(p.account, ENDPOINTS.map((endpoint) =>
      `${INTERVAL[0]}{account="${esc(p.account)}",endpoint="${endpoint}"} ${val(p.effectiveIntervals[endpoint] / 1000)}\n`).join(''));
  }

  let readAt = 0;
  let reading: Promise<void> | null = null;
  const refreshUsage = async (): Promise<void> => {
    try {
      const usage = await budget.lastUsageMany(names);
      for (const [account, u] of usage) {
        used.set(account, BUDGET_WINDOWS.map((w) => `${USED[0]}{account="${esc(account)}",window="${w}"} ${val(u[w])}\n`).join(''));
      }
      readAt = Date.now();
    } catch (err) {
      // Redis unreachable: the usage read last stays (a scrape never fails for it).
      log.warn({ err: (err as Error).message }, 'budget usage unavailable; serving the usage read last');
    }
  };
  const refresh = (): Promise<void> => (reading ??= refreshUsage().finally(() => { reading = null; }));

  return {
    refreshUsage: refresh,
    async families() {
      if (Date.now() - readAt > maxAge) {
        const r = refresh();
        if (readAt === 0) await r;
      }
      // Every configured account from 0: a series that appears at 1 shows no increase() for its first 429.
      const counts = budget.rateLimitedCounts();
      for (const account of names) limited.set(account, `${RATE_LIMITED[0]}{account="${esc(account)}"} ${val(counts.get(account) ?? 0)}\n`);
      return [limited, limit, used, interval];
    },
  };
}
