import { Counter, type Registry } from 'prom-client';
import { childLogger } from '../logger';
import { ENDPOINTS } from '../sendpulse/endpoints';
import { esc, family, val } from '../metrics/text-format';
import type { ConfigPlan } from './planner';
import { BUDGET_WINDOWS, type RequestBudget } from './request-budget';

const LIMIT = ['sendpulse_api_budget_limit', 'Requests the monitor allows itself per account and window (second, minute, day, sliding), across all replicas.'] as const;
const USED = ['sendpulse_api_budget_used', 'Requests to the SendPulse API counted in the budget window (second, minute, day, sliding) now, by all replicas together, token requests included.'] as const;
const INTERVAL = ['sendpulse_schedule_interval_seconds', 'Interval between background polls of the endpoint, after stretching to fit the budget.'] as const;

/** The budget families written as text at scrape time (appended to the registry's output). */
export interface BudgetMetrics {
  /** Limits, intervals and the usage read from Redis now, in the Prometheus text format. */
  text(): Promise<string>;
}

/**
 * Registers sendpulse_api_rate_limited_total (this process's 429s) on `registry` and returns the other
 * budget families as text: limits and intervals are fixed for the life of the process, so they are
 * rendered once; usage is read from Redis at each scrape in one pipelined pass over every account.
 * Text rather than prom-client Gauges: at 10,000 accounts these are ~100,000 series, and rebuilding
 * them on every scrape was most of the remaining /metrics time (bench/RESULTS.md).
 */
export function registerBudgetMetrics(registry: Registry, budget: RequestBudget, plan: ConfigPlan): BudgetMetrics {
  const log = childLogger({ component: 'budget-metrics' });
  const names = plan.accounts.map((p) => p.account);

  new Counter({
    name: 'sendpulse_api_rate_limited_total',
    help: 'Answers of 429 or error 2020202020 (rate limited) this process got from SendPulse; each paused the account.',
    labelNames: ['account'],
    registers: [registry],
    collect() {
      this.reset();
      // Every configured account from 0: a series that appears at 1 shows no increase() for its first 429.
      const counts = budget.rateLimitedCounts();
      for (const account of names) this.inc({ account }, counts.get(account) ?? 0);
    },
  });

  const fixed = [
    family(...LIMIT, 'gauge', names.flatMap((account) => {
      const limits = budget.limits(account);
      return BUDGET_WINDOWS.map((w) => `${LIMIT[0]}{account="${esc(account)}",window="${w}"} ${val(limits[w])}\n`);
    })),
    family(...INTERVAL, 'gauge', plan.accounts.flatMap((p) => ENDPOINTS.map((endpoint) =>
      `${INTERVAL[0]}{account="${esc(p.account)}",endpoint="${endpoint}"} ${val(p.effectiveIntervals[endpoint] / 1000)}\n`))),
  ].join('');

  return {
    async text() {
      let used: string[] = [];
      try {
        const usage = await budget.usageMany(names);
        used = [...usage].flatMap(([account, u]) => BUDGET_WINDOWS.map((w) => `${USED[0]}{account="${esc(account)}",window="${w}"} ${val(u[w])}\n`));
      } catch (err) {
        // Redis unreachable: leave the usage out rather than fail the whole scrape.
        log.warn({ err: (err as Error).message }, 'budget usage unavailable for this scrape');
      }
      return fixed + family(...USED, 'gauge', used);
    },
  };
}
