import type { OverviewQuery } from './status-types';

/** Rows per page unless `per` says otherwise. */
export const DEFAULT_PER_PAGE = 50;
/** The most rows one page shows (one page's cost grows with its rows, not with the accounts watched). */
export const MAX_PER_PAGE = 500;

/** A firing alert as the firing index has it. */
export interface FiringEntry {
  account: string;
  rule: string;
  service: string;
  severity: 'warning' | 'critical';
}

function intParam(v: string | null, fallback: number, min: number, max: number): number {
  const n = v === null || v.trim() === '' ? NaN : Number(v);
  return Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

/** The overview's query from URL parameters; anything unknown or out of range falls back to its default, never an error. */
export function parseOverviewQuery(params: URLSearchParams): OverviewQuery {
  const firing = params.get('firing');
  return {
    q: (params.get('q') ?? '').trim().slice(0, 200),
    firing: firing === '1' || firing === 'true' || firing === 'on',
    service: (params.get('service') ?? '').trim().slice(0, 100),
    sort: params.get('sort') === 'name' ? 'name' : 'severity',
    page: intParam(params.get('page'), 1, 1, 1_000_000),
    perPage: intParam(params.get('per'), DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
  };
}

/** The query as URL parameters, defaults left out; `page` overrides the page. */
export function overviewHref(base: string, q: OverviewQuery, page = q.page): string {
  const p = new URLSearchParams();
  if (q.q) p.set('q', q.q);
  if (q.firing) p.set('firing', '1');
  if (q.service) p.set('service', q.service);
  if (q.sort !== 'severity') p.set('sort', q.sort);
  if (q.perPage !== DEFAULT_PER_PAGE) p.set('per', String(q.perPage));
  if (page !== 1) p.set('page', String(page));
  const s = p.toString();
  return s ? `${base}?${s}` : base;
}

/** Whether an alert's service matches the filter: equal, or a field path under it (`smtp` matches `smtp.end_date`). */
export function serviceMatches(service: string, filter: string): boolean {
  return filter === '' || service === filter || service.startsWith(`${filter}.`);
}

/** One page of account names for the query, with the total matching; pure, so it costs only memory and the firing index. */
export function selectAccounts(names: readonly string[], firing: readonly FiringEntry[], q: OverviewQuery): { total: number; pages: number; page: number; names: string[] } {
  const worst = new Map<string, number>();
  const onService = new Set<string>();
  for (const f of firing) {
    const rank = f.severity === 'critical' ? 0 : 1;
    worst.set(f.account, Math.min(rank, worst.get(f.account) ?? 2));
    if (serviceMatches(f.service, q.service)) onService.add(f.account);
  }
  const needle = q.q.toLowerCase();
  let matched = names.filter((n) => (needle === '' || n.toLowerCase().includes(needle))
    && (!q.firing || worst.has(n)) && (q.service === '' || onService.has(n)));
  // Critical, then warning, then the rest; by name within each. Only the firing index is needed, so
  // sorting 10,000 accounts reads nothing per account.
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  matched = q.sort === 'severity'
    ? matched.sort((a, b) => (worst.get(a) ?? 2) - (worst.get(b) ?? 2) || byName(a, b))
    : matched.sort(byName);
  const pages = Math.max(1, Math.ceil(matched.length / q.perPage));
  const page = Math.min(q.page, pages);
  return { total: matched.length, pages, page, names: matched.slice((page - 1) * q.perPage, page * q.perPage) };
}
