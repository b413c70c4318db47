import fc from 'fast-check';
import { assertPlanFits } from '../../../src/budget/assert-plan-fits';
import { formatPlanTable } from '../../../src/budget/format-plan-table';
import { TOKEN_RENEWAL_MS, planCost } from '../../../src/budget/plan-cost';
import { planWarnings } from '../../../src/budget/plan-warnings';
import { costFits, effectiveIntervalFor, planAccount, planConfig } from '../../../src/budget/planner';
import { ConfigError } from '../../../src/errors';
import { makeAccount, makeConfig } from './make-account';

describe('planner cost', () => {
  it('counts one request per poll and the worst minute when every endpoint is due at once', () => {
    const p = planAccount(makeAccount('main', { intervals: { balance: 30_000, user_info: 60_000, team: 60_000 }, budget: { perMinute: 100, perDay: 10_000 } }));
    expect(p.planned.perMinute).toBe(2 + 1 + 1);
    expect(p.planned.perDay).toBe(2880 + 1440 + 1440);
  });

  it('counts token requests of OAuth accounts: one per renewal, every 55 minutes', () => {
    expect(TOKEN_RENEWAL_MS).toBe(55 * 60_000);
    const key = planAccount(makeAccount('a'));
    const oauth = planAccount(makeAccount('b', { oauth: true }));
    expect(oauth.planned.perMinute - key.planned.perMinute).toBe(1);
    expect(oauth.planned.perDay - key.planned.perDay).toBe(27);
  });
});

describe('planner on the default config', () => {
  it('fits: 5m/1h/1h cost 3 requests a minute and 336 a day against 10 and 5,000', () => {
    const plan = planConfig(makeConfig([makeAccount('main')]));
    const p = plan.accounts[0];
    expect(p.status).toBe('fits');
    expect(p.planned).toMatchObject({ perMinute: 3, perDay: 336 });
    expect(p.effectiveIntervals).toEqual({ balance: 300_000, user_info: 3_600_000, team: 3_600_000 });
    expect(p.quotaShare.perMinute).toBeCloseTo(3 / 1000);
    expect(planWarnings(plan)).toEqual([]);
    expect(() => assertPlanFits(plan)).not.toThrow();
  });
});

describe('planner when the schedule does not fit', () => {
  const shop = makeAccount('shop', { oauth: true, plan: 'standard', budget: { perMinute: 10, perDay: 300 } });

  it('stretches all intervals by the smallest factor that fits and schedules with them', () => {
    const p = planAccount(shop);
    expect(p.status).toBe('stretched');
    expect(p.planned.perDay).toBe(363);
    expect(p.effectiveIntervals).toEqual({ balance: 371_000, user_info: 4_440_000, team: 4_440_000 });
    expect(p.effective.perDay).toBeLessThanOrEqual(300);
    // One second less on the tightest interval no longer fits.
    expect(costFits(planCost({ ...p.effectiveIntervals, balance: 370_000 }, 'oauth'), p.budget)).toBe(false);
    const at = effectiveIntervalFor(planConfig(makeConfig([shop])));
    expect(at(shop, 'balance')).toBe(371_000);
    expect(at(shop, 'user_info')).toBe(4_440_000);
  });

  it('warns once per stretched account with the planned and effective intervals', () => {
    expect(planWarnings(planConfig(makeConfig([makeAccount('main'), shop])))).toEqual([
      'account "shop": the configured intervals would make 4 requests/min and 363/day against a budget of 10/min and 300/day; '
      + 'stretched x1.23 from userInfo 1h, team 1h, balance 5m to userInfo 1h14m, team 1h14m, balance 6m11s (4/min, 300/day)',
    ]);
  });

  it('refuses with the numbers and the smallest intervals that fit when onOverflow is refuse', () => {
    const strict = makeAccount('strict', { oauth: true, budget: { perDay: 300, onOverflow: 'refuse' } });
    const plan = planConfig(makeConfig([makeAccount('main'), strict]));
    expect(plan.accounts[1].status).toBe('refused');
    expect(plan.accounts[1].effectiveIntervals).toEqual(strict.intervals);
    let error: unknown;
    try {
      assertPlanFits(plan);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'accounts[1].budget: account "strict" would make 4 requests/min and 363/day against a budget of 10/min and 300/day '
      + '(onOverflow: refuse); intervals userInfo 1h, team 1h, balance 5m; '
      + 'the smallest intervals that fit: userInfo 1h14m, team 1h14m, balance 6m11s',
    ]);
  });

  it('says so when no interval is long enough for the budget', () => {
    const p = planAccount(makeAccount('tiny', { budget: { perMinute: 2 } }));
    expect(p.status).toBe('unfittable');
    expect(p.fittingIntervals).toBeNull();
    expect(planWarnings({ accounts: [p] })[0]).toMatch(/no stretch of the intervals fits/);
  });

  it('always finds intervals that fit, with a factor no smaller one can match', () => {
    const seconds = fc.integer({ min: 1, max: 7200 }).map((s) => s * 1000);
    fc.assert(fc.property(seconds, seconds, seconds, fc.boolean(), fc.integer({ min: 5, max: 200 }), fc.integer({ min: 40, max: 20_000 }),
      (balance, userInfo, team, oauth, perMinute, perDay) => {
        const account = makeAccount('p', { oauth, intervals: { balance, user_info: userInfo, team }, budget: { perMinute, perDay, perSecond: 5 } });
        const p = planAccount(account);
        if (p.status === 'fits') return;
        expect(p.status).toBe('stretched');
        expect(costFits(p.effective, p.budget)).toBe(true);
        const f = p.stretchFactor as number;
        const stretch = (ms: number, by: number) => Math.max(ms, Math.ceil((ms * by) / 1000) * 1000);
        for (const key of ['balance', 'user_info', 'team'] as const) {
          // Rounded up to whole seconds, at most one second less where float noise was trimmed.
          expect(p.effectiveIntervals[key]).toBeGreaterThanOrEqual(stretch(p.intervals[key], f) - 1000);
          expect(p.effectiveIntervals[key]).toBeLessThanOrEqual(stretch(p.intervals[key], f));
        }
        const by = f * 0.999;
        const smaller = { balance: stretch(balance, by), user_info: stretch(userInfo, by), team: stretch(team, by) };
        expect(by <= 1 || !costFits(planCost(smaller, account.auth.kind), p.budget)).toBe(true);
      }), { numRuns: 300 });
  });
});

describe('formatPlanTable', () => {
  it('prints tier, requests, budget, share of the quota and effective intervals per account', () => {
    const plan = planConfig(makeConfig([
      makeAccount('main'),
      makeAccount('shop', { oauth: true, plan: 'standard', budget: { perMinute: 10, perDay: 300 } }),
      makeAccount('strict', { oauth: true, budget: { perDay: 300, onOverflow: 'refuse' } }),
    ]));
    expect(formatPlanTable(plan)).toBe([
      'ACCOUNT  TIER      REQ/MIN  REQ/DAY  BUDGET/MIN  BUDGET/DAY  QUOTA/MIN  QUOTA/DAY  BALANCE  USER_INFO  TEAM   STATUS',
      'main     free      3        336      10          5000        0.30%      0.07%      5m       1h         1h     fits',
      'shop     standard  4        300      10          300         0.20%      0.03%      6m11s    1h14m      1h14m  stretched x1.23 (planned 4/min, 363/day)',
      'strict   free      4        363      10          300         0.40%      0.07%      5m       1h         1h     DOES NOT FIT (onOverflow: refuse)',
    ].join('\n'));
  });
});
