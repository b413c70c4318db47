import { accountSummary, thin } from '../../../src/status/account-summary';
import { formatFieldValue, formatMoney } from '../../../src/status/format-value';
import { overviewHref, parseOverviewQuery, selectAccounts, type FiringEntry } from '../../../src/status/overview-query';
import { renderPage } from '../../../src/status/render/layout';
import { OverviewPage, type RenderContext } from '../../../src/status/render/overview-page';
import { ENDPOINT_DEFS } from '../../../src/sendpulse/endpoints';
import type { OverviewData } from '../../../src/status/status-types';
import { accountState, balanceReading, DAY } from '../alerts/config-fixture';

const NOW = Date.UTC(2026, 4, 1, 12);
const RULE = { minPoints: 3, minSpanMs: 42 * 3600_000 };
const CTX: RenderContext = { now: NOW, windowMs: 7 * DAY, refreshSeconds: 15, version: '0.0.0-test' };
const EVIL = `<script>window.__pwned=1</script>"'&amp; Тариф «Бизнес»`;

function overview(accounts: OverviewData['accounts']): OverviewData {
  return {
    version: 1, generatedAt: new Date(NOW).toISOString(), query: parseOverviewQuery(new URLSearchParams()),
    total: accounts.length, pages: 1, counts: { accounts: accounts.length, critical: 0, warning: 0, firingAlerts: 0 }, services: [], accounts,
  };
}

describe('overview query', () => {
  const names = ['alpha', 'beta', 'gamma', 'delta', 'shop-1', 'shop-2'];
  const firing: FiringEntry[] = [
    { account: 'gamma', rule: 'balance', service: 'balance', severity: 'warning' },
    { account: 'delta', rule: 'tariffExpiry', service: 'smtp', severity: 'critical' },
    { account: 'beta', rule: 'unreadable', service: 'smtp.end_date', severity: 'warning' },
  ];

  it('sorts worst first, then by name, and pages through the rest', () => {
    const q = parseOverviewQuery(new URLSearchParams('per=2'));
    expect(selectAccounts(names, firing, q)).toEqual({ total: 6, pages: 3, page: 1, names: ['delta', 'beta'] });
    expect(selectAccounts(names, firing, { ...q, page: 2 }).names).toEqual(['gamma', 'alpha']);
    expect(selectAccounts(names, firing, { ...q, page: 99 })).toMatchObject({ page: 3, names: ['shop-1', 'shop-2'] });
  });

  it('filters by name, firing only and service (a field path under the service counts)', () => {
    const q = parseOverviewQuery(new URLSearchParams('q=SHOP'));
    expect(selectAccounts(names, firing, q).names).toEqual(['shop-1', 'shop-2']);
    expect(selectAccounts(names, firing, parseOverviewQuery(new URLSearchParams('firing=1&sort=name'))).names).toEqual(['beta', 'delta', 'gamma']);
    expect(selectAccounts(names, firing, parseOverviewQuery(new URLSearchParams('service=smtp'))).names).toEqual(['delta', 'beta']);
  });

  it('reads bad parameters as defaults and writes only what differs from them', () => {
    const q = parseOverviewQuery(new URLSearchParams('page=-3&per=100000&sort=evil&firing=yes'));
    expect(q).toMatchObject({ page: 1, perPage: 500, sort: 'severity', firing: false });
    expect(overviewHref('/', { ...q, q: 'a b&c', firing: true }, 2)).toBe('/?q=a+b%26c&firing=1&per=500&page=2');
    expect(overviewHref('/', parseOverviewQuery(new URLSearchParams()))).toBe('/');
  });
});

describe('account summary', () => {
  it('takes the worst firing alert, the nearest tariff end and a falling forecast', () => {
    const reading = balanceReading({ main: 4, emailEnd: (NOW + 5 * DAY) / 1000, smtpEnd: (NOW - DAY) / 1000, smtpLeft: 10 });
    const points = { 'balance.main': [0, 1, 2].map((i) => ({ atMs: NOW - (2 - i) * DAY, value: 8 - 2 * i })) };
    const s = accountSummary({
      name: 'main', state: accountState(reading, NOW), now: NOW, points, pausedUntilMs: NOW + 60_000, runwayRule: RULE,
      firing: [{ rule: 'balance', service: 'balance', severity: 'warning', headline: null }, { rule: 'tariffExpiry', service: 'smtp', severity: 'critical', headline: 'x' }],
    });
    expect(s.severity).toBe('critical');
    expect(s.firing.map((f) => f.rule)).toEqual(['tariffExpiry', 'balance']);
    expect(s.tariffEnd).toMatchObject({ service: 'smtp', daysLeft: -1 });
    expect(s.trends[0].runway).toEqual({ status: 'falling', daysToZero: 2 });
    expect(s.trends[1].runway.status).toBe('insufficient_history');
    expect(s.pausedUntil).toBe(new Date(NOW + 60_000).toISOString());
  });

  it('says "no data" for an account never polled, and why an endpoint fails', () => {
    const never = accountState(null, NOW);
    for (const e of Object.values(never.endpoints)) Object.assign(e, { reading: null, lastSuccessMs: null, lastAttemptMs: null, ok: false });
    expect(accountSummary({ name: 'n', state: never, now: NOW, points: {}, pausedUntilMs: null, runwayRule: RULE, firing: [] }).severity).toBe('unknown');
    const limited = accountState(balanceReading(), NOW);
    Object.assign(limited.endpoints.balance, { ok: false, reason: 'rate_limited', lastAttemptMs: NOW });
    const s = accountSummary({ name: 'l', state: limited, now: NOW, points: {}, pausedUntilMs: null, runwayRule: RULE, firing: [] });
    expect(s).toMatchObject({ severity: 'ok', failing: true });
    expect(s.endpoints.find((e) => e.endpoint === 'balance')).toMatchObject({ problem: 'rate_limited', problemText: 'rate limited by SendPulse (429)' });
  });

  it('calls a flat series not falling, whatever float noise its slope has', () => {
    // These times (5 s apart, a little uneven, as polls are) give runwayFrom a slope of about -1e-35 per ms.
    const points = { 'balance.main': Array.from({ length: 9 }, (_, i) => ({ atMs: 1795997851271 + i * 5000 + ((i * 7919) % 200), value: 42.8 })) };
    const s = accountSummary({ name: 'm', state: accountState(balanceReading({ main: 42.8 }), NOW), now: NOW, points, pausedUntilMs: null, runwayRule: { minPoints: 3, minSpanMs: 1 }, firing: [] });
    expect(s.trends[0].runway).toEqual({ status: 'not_falling', daysToZero: null });
  });

  it('thins a long series to evenly spaced points, keeping the newest', () => {
    const pts = Array.from({ length: 121 }, (_, i) => ({ atMs: i, value: i }));
    const t = thin(pts, 40);
    expect(t).toHaveLength(40);
    expect(t[0].atMs).toBe(0);
    expect(t[39].atMs).toBe(120);
  });
});

describe('formatting', () => {
  const row = (path: string) => ENDPOINT_DEFS.balance.fields.find((f) => f.path === path)!;
  it('writes values by their reader: money, counts, dates in the account zone, traffic, flags', () => {
    const ctx = { timeZone: 'Europe/Kyiv', currency: 'UAH' };
    expect(formatFieldValue(row('balance.main'), 1234.5, ctx)).toBe('1,234.50 UAH');
    expect(formatFieldValue(row('email.emails_left'), 9914, ctx)).toBe('9,914');
    expect(formatFieldValue(row('email.finished_time'), Date.UTC(2026, 5, 1, 9) / 1000, ctx)).toBe('2026-06-01 12:00 Europe/Kyiv');
    expect(formatFieldValue(row('email.finished_time'), null, ctx)).toBe('none');
    expect(formatFieldValue(row('smtp.traffic_limit'), 1000 * 2 ** 20, ctx)).toBe('1000 Mb');
    expect(formatFieldValue(row('smtp.auto_renew'), true, ctx)).toBe('yes');
    expect(formatFieldValue(row('push.auto_renew'), undefined, ctx)).toBe('not in the answer');
    expect(formatMoney(null, 'USD')).toBe('—');
  });
});

describe('rendering', () => {
  it('escapes everything SendPulse sends: a tariff name with a script, quotes and Cyrillic comes out as text', () => {
    const reading = balanceReading({ emailEnd: (NOW + 3 * DAY) / 1000 });
    reading.values['email.tariff_name'] = EVIL;
    reading.values['balance.currency'] = '"><img src=x onerror=alert(1)>';
    const s = accountSummary({ name: 'main', state: accountState(reading, NOW), now: NOW, points: {}, pausedUntilMs: null, runwayRule: RULE,
      firing: [{ rule: 'tariffExpiry', service: 'email', severity: 'warning', headline: `email tariff ${EVIL} ends in 3d` }] });
    const html = renderPage(<OverviewPage d={overview([s])} ctx={CTX} />);
    expect(html).not.toContain('<script>window');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script>window.__pwned=1&lt;/script>&quot;&#39;&amp;amp; Тариф «Бизнес»'.replace('&#39;', "'"));
    // The only scripts are the monitor's own file.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toMatch(/<script src="\/static\/status\.js\?v=[0-9a-f]+" defer><\/script>/);
    expect(html).not.toMatch(/<[a-z][^<>]*\s(style|on[a-z]+)=/i);
  });

  it('draws a sparkline with its description for screen readers', () => {
    const points = { 'balance.main': [0, 1, 2].map((i) => ({ atMs: NOW - (2 - i) * DAY, value: 8 - 2 * i })) };
    const s = accountSummary({ name: 'main', state: accountState(balanceReading({ main: 4 }), NOW), now: NOW, points, pausedUntilMs: null, runwayRule: RULE, firing: [] });
    const html = renderPage(<OverviewPage d={overview([s])} ctx={CTX} />);
    expect(html).toContain('aria-label="Balance over the last 7d: from 8 to 4, 3 points; ≈ 2 d to zero"');
    expect(html).toMatch(/<path class="line s-balance_main" d="M[\d.]+,[\d.]+ L[\d.]+,[\d.]+ L[\d.]+,[\d.]+"/);
  });
});
