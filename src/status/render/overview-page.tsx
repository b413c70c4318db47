import { overviewHref } from '../overview-query';
import { formatCount, formatDateTime, formatDays, formatMoney } from '../format-value';
import type { AccountSummary, OverviewData, OverviewQuery, Trend } from '../status-types';
import { runwayText, Sparkline } from './charts';
import { Ago, Page, SeverityBadge } from './layout';

/** What the pages share: the clock, the runway window and the frame's facts. */
export interface RenderContext {
  now: number;
  windowMs: number;
  refreshSeconds: number;
  version: string;
}

/** The service filter's choices: the usual services, then any other service firing now. */
const SERVICES = ['balance', 'email', 'smtp', 'push', 'auth', 'user_info', 'team'];

function Filters({ q, services }: { q: OverviewQuery; services: string[] }) {
  const choices = [...new Set([...SERVICES, ...services])];
  return (
    <form class="filters" method="get" action="/" role="search" aria-label="Filter accounts">
      <label>Account name contains
        <input type="search" name="q" value={q.q} autoComplete="off" />
      </label>
      <label>Alert on service
        <select name="service">
          <option value="" selected={q.service === ''}>any</option>
          {choices.map((s) => <option value={s} selected={q.service === s}>{s}</option>)}
        </select>
      </label>
      <label>Sort by
        <select name="sort">
          <option value="severity" selected={q.sort === 'severity'}>severity</option>
          <option value="name" selected={q.sort === 'name'}>name</option>
        </select>
      </label>
      <label class="check"><input type="checkbox" name="firing" value="1" checked={q.firing} /> Firing only</label>
      {q.perPage !== 50 ? <input type="hidden" name="per" value={String(q.perPage)} /> : null}
      <button type="submit">Show</button>
      {(q.q || q.firing || q.service || q.sort !== 'severity') ? <a href="/">Clear</a> : null}
    </form>
  );
}

function TrendCell({ value, trend, ctx }: { value: string; trend: Trend | undefined; ctx: RenderContext }) {
  return (
    <>
      <span>{value}</span>
      {trend && trend.points.length > 0 ? (
        <>
          <Sparkline trend={trend} now={ctx.now} windowMs={ctx.windowMs} />
          {trend.runway.status === 'falling' ? <span class={`small ${(trend.runway.daysToZero ?? 0) < 3 ? 'bad' : 'muted'}`}>{runwayText(trend)}</span> : null}
        </>
      ) : null}
    </>
  );
}

function TariffEnd({ end }: { end: AccountSummary['tariffEnd'] }) {
  if (!end) return <span class="muted">—</span>;
  const past = end.daysLeft < 0;
  return (
    <>
      <span class={past ? 'bad' : undefined}>{past ? `ended ${formatDays(end.daysLeft)} ago` : `in ${formatDays(end.daysLeft)}`}</span>
      <br /><span class="small muted">{end.service}{end.tariff ? ` · ${end.tariff}` : ''}</span>
      <br /><time class="small muted" dateTime={end.at}>{formatDateTime(Date.parse(end.at))}</time>
    </>
  );
}

/** Each endpoint's last good poll, and why it fails now if it does. */
export function PollList({ a, now }: { a: AccountSummary; now: number }) {
  return (
    <ul class="poll">
      {a.endpoints.map((e) => (
        <li>
          {e.problem === null ? <span aria-hidden="true">✓ </span> : <span aria-hidden="true" class={e.ok ? 'note' : 'bad'}>{e.ok ? '! ' : '✗ '}</span>}
          {e.endpoint}: <Ago iso={e.lastSuccess} now={now} />
          {e.problemText ? <span class={e.ok ? 'note' : 'bad'}> — {e.problemText}</span> : null}
        </li>
      ))}
      {a.pausedUntil ? <li class="bad">paused after a 429 until <time dateTime={a.pausedUntil}>{formatDateTime(Date.parse(a.pausedUntil))}</time></li> : null}
    </ul>
  );
}

function Row({ a, ctx }: { a: AccountSummary; ctx: RenderContext }) {
  const trend = (f: string) => a.trends.find((t) => t.field === f);
  return (
    <tr class={`row-${a.severity}`}>
      <th scope="row"><a href={a.url}>{a.name}</a></th>
      <td data-label="State">
        <SeverityBadge severity={a.severity} />
        {a.firing.length > 0 ? (
          <ul class="firing-list">
            {a.firing.map((f) => <li>{f.headline ?? `${f.rule} (${f.service})`} <span class="muted">[{f.severity}]</span></li>)}
          </ul>
        ) : null}
      </td>
      <td data-label="Balance" class="num">
        <TrendCell value={a.balance ? formatMoney(a.balance.main, a.balance.currency) : '—'} trend={trend('balance.main')} ctx={ctx} />
      </td>
      <td data-label="E-mails left" class="num"><TrendCell value={formatCount(a.emailsLeft)} trend={trend('email.emails_left')} ctx={ctx} /></td>
      <td data-label="SMTP credits left" class="num"><TrendCell value={formatCount(a.smtpEmailsLeft)} trend={trend('smtp.email_qty_left')} ctx={ctx} /></td>
      <td data-label="Nearest tariff end"><TariffEnd end={a.tariffEnd} /></td>
      <td data-label="Team" class="num">
        {a.team ? <>{formatCount(a.team.active)}{a.team.inactive ? <span class="small muted"> +{formatCount(a.team.inactive)} inactive</span> : null}</> : '—'}
      </td>
      <td data-label="Polling"><PollList a={a} now={ctx.now} /></td>
    </tr>
  );
}

function Pager({ d }: { d: OverviewData }) {
  if (d.pages <= 1) return null;
  const q = d.query;
  return (
    <nav class="pager" aria-label="Pages of accounts">
      {q.page > 1 ? <a href={overviewHref('/', q, 1)}>« First</a> : null}
      {q.page > 1 ? <a rel="prev" href={overviewHref('/', q, q.page - 1)}>‹ Previous</a> : null}
      <span>Page {q.page} of {d.pages}</span>
      {q.page < d.pages ? <a rel="next" href={overviewHref('/', q, q.page + 1)}>Next ›</a> : null}
      {q.page < d.pages ? <a href={overviewHref('/', q, d.pages)}>Last »</a> : null}
    </nav>
  );
}

/** The overview `/`: every account of the page with its state, values, trends and polling. */
export function OverviewPage({ d, ctx }: { d: OverviewData; ctx: RenderContext }) {
  const q = d.query;
  const first = (q.page - 1) * q.perPage + 1;
  const last = first + d.accounts.length - 1;
  return (
    <Page title="Accounts" current="accounts" refreshSeconds={ctx.refreshSeconds} version={ctx.version} generatedAt={d.generatedAt}
      before={<Filters q={q} services={d.services} />}>
      <h1>Accounts</h1>
      <p class="counts">
        <span>{formatCount(d.counts.accounts)} account{d.counts.accounts === 1 ? '' : 's'} watched</span>
        <span><span class="sev sev-critical">Critical</span> {formatCount(d.counts.critical)}</span>
        <span><span class="sev sev-warning">Warning</span> {formatCount(d.counts.warning)}</span>
        <span><a href="/alerts">{formatCount(d.counts.firingAlerts)} alert{d.counts.firingAlerts === 1 ? '' : 's'} firing</a></span>
      </p>
      {d.total === 0 ? <p>No account matches.</p> : (
        <div>
          <table class="cards">
            <caption>
              {d.total === d.counts.accounts ? '' : `${formatCount(d.total)} matching; `}
              showing {formatCount(first)}–{formatCount(last)}, {q.sort === 'severity' ? 'worst first' : 'by name'}. Trends cover the last {ctx.windowMs / 86_400_000 >= 1 ? `${Number((ctx.windowMs / 86_400_000).toFixed(1))} days` : `${Math.round(ctx.windowMs / 60_000)} minutes`}.
            </caption>
            <thead>
              <tr>
                <th scope="col">Account</th><th scope="col">State</th><th scope="col" class="num">Balance</th>
                <th scope="col" class="num">E-mails left</th><th scope="col" class="num">SMTP credits left</th>
                <th scope="col">Nearest tariff end</th><th scope="col" class="num">Team</th><th scope="col">Last good poll</th>
              </tr>
            </thead>
            <tbody>{d.accounts.map((a) => <Row a={a} ctx={ctx} />)}</tbody>
          </table>
          <Pager d={d} />
        </div>
      )}
    </Page>
  );
}
