import { ENDPOINT_DEFS, ENDPOINTS } from '../sendpulse/endpoints';
import { formatInterval } from './format-interval';
import type { Intervals } from './plan-cost';
import type { AccountPlan } from './planner';

/** "userInfo 1h, team 1h, balance 5m": the config's own key names, so the text says what to edit. */
export function describeIntervals(i: Intervals): string {
  return ENDPOINTS.map((e) => `${ENDPOINT_DEFS[e].configKey} ${formatInterval(i[e])}`).join(', ');
}

/** "6 requests/min and 320/day against a budget of 5/min and 300/day": the numbers behind a misfit. */
export function describeCost(p: AccountPlan): string {
  const b = p.budget;
  const perSecond = p.planned.sustainedPerSecond > Math.floor(b.perSecond)
    ? ` and ${p.planned.sustainedPerSecond.toFixed(2)}/s against ${Math.floor(b.perSecond)}/s`
    : '';
  return `${p.planned.perMinute} requests/min and ${p.planned.perDay}/day against a budget of `
    + `${Math.floor(b.perMinute)}/min and ${Math.floor(b.perDay)}/day${perSecond}`;
}
