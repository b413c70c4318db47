import { Counter, Gauge, type Registry } from 'prom-client';
import { childLogger } from '../logger';
import type { ConfigPlan } from './planner';
import { BUDGET_WINDOWS, type RequestBudget } from './request-budget';

const ENDPOINT_INTERVAL = [['user_info', 'userInfo'], ['team', 'team'], ['balance', 'balance']] as const;

/**
 * Registers the budget metrics on `registry`, all computed at scrape time: limits and intervals from
 * the plan, usage from Redis (one pipelined pass over every account, shared by all replicas), and
 * this process's count of 429s.
 */
export function registerBudgetMetrics(registry: Registry, budget: RequestBudget, plan: ConfigPlan): void {
  const log = childLogger({ component: 'budget-metrics' });
  const names = plan.accounts.map((p) => p.account);

  new Gauge({
    name: 'sendpulse_api_budget_limit',
    help: 'Requests the monitor allows itself per account and window (second, minute, day, sliding), across all replicas.',
    labelNames: ['account', 'window'],
    registers: [registry],
    collect() {
      this.reset();
      for (const account of names) {
        const limits = budget.limits(account);
        for (const window of BUDGET_WINDOWS) this.set({ account, window }, limits[window]);
      }
    },
  });

  new Gauge({
    name: 'sendpulse_api_budget_used',
    help: 'Requests to the SendPulse API counted in the budget window (second, minute, day, sliding) now, by all replicas together, token requests included.',
    labelNames: ['account', 'window'],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const usage = await budget.usageMany(names);
        for (const [account, u] of usage) for (const window of BUDGET_WINDOWS) this.set({ account, window }, u[window]);
      } catch (err) {
        // Redis unreachable: leave the series out rather than fail the whole scrape.
        log.warn({ err: (err as Error).message }, 'budget usage unavailable for this scrape');
      }
    },
  });

  new Counter({
    name: 'sendpulse_api_rate_limited_total',
    help: 'Answers of 429 or error 2020202020 (rate limited) this process got from SendPulse; each paused the account.',
    labelNames: ['account'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [account, n] of budget.rateLimitedCounts()) this.inc({ account }, n);
    },
  });

  new Gauge({
    name: 'sendpulse_schedule_interval_seconds',
    help: 'Interval between background polls of the endpoint, after stretching to fit the budget.',
    labelNames: ['account', 'endpoint'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of plan.accounts) {
        for (const [endpoint, key] of ENDPOINT_INTERVAL) this.set({ account: p.account, endpoint }, p.effectiveIntervals[key] / 1000);
      }
    },
  });
}
