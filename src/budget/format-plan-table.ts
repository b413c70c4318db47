import { formatInterval } from './format-interval';
import type { AccountPlan, ConfigPlan } from './planner';

/** A percentage with two decimals: the default budget is 1 % and a plan's cost is usually far below. */
function percent(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

function status(p: AccountPlan): string {
  switch (p.status) {
    case 'fits': return 'fits';
    case 'stretched': return `stretched x${(p.stretchFactor ?? 1).toFixed(2)} (planned ${p.planned.perMinute}/min, ${p.planned.perDay}/day)`;
    case 'refused': return 'DOES NOT FIT (onOverflow: refuse)';
    case 'unfittable': return 'DOES NOT FIT (no interval is long enough)';
  }
}

/** Left-aligned columns separated by two spaces (the CLI's table style). */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/**
 * The table `plan` prints: per account the tier, the requests per minute (worst minute) and per day
 * at the effective intervals, the budget, the share of the tier's quota used, and the intervals.
 */
export function formatPlanTable(plan: ConfigPlan): string {
  const rows = plan.accounts.map((p) => [
    p.account,
    p.tier,
    String(p.effective.perMinute),
    String(p.effective.perDay),
    String(Math.floor(p.budget.perMinute)),
    String(Math.floor(p.budget.perDay)),
    percent(p.quotaShare.perMinute),
    percent(p.quotaShare.perDay),
    formatInterval(p.effectiveIntervals.balance),
    formatInterval(p.effectiveIntervals.user_info),
    formatInterval(p.effectiveIntervals.team),
    status(p),
  ]);
  return table(
    ['ACCOUNT', 'TIER', 'REQ/MIN', 'REQ/DAY', 'BUDGET/MIN', 'BUDGET/DAY', 'QUOTA/MIN', 'QUOTA/DAY', 'BALANCE', 'USER_INFO', 'TEAM', 'STATUS'],
    rows,
  );
}
