import { humanDuration } from '../../alerts/human-duration';
import { formatCount, formatDateTime, formatDays, formatMoney } from '../format-value';
import type { AccountDetail, AlertEventView, EndpointView } from '../status-types';
import { AlertsTable } from './alerts-page';
import { runwayText, TrendChart } from './charts';
import { Ago, Page, SeverityBadge } from './layout';
import { PollList, type RenderContext } from './overview-page';

const EVENT_WORDS: Readonly<Record<AlertEventView['kind'], string>> = {
  firing: 'fired', escalated: 'got worse', deescalated: 'got better, still firing', reminder: 'reminder',
  resolved: 'resolved', sent: 'notification sent', failed: 'delivery failed', rejected: 'refused by the channel', dropped: 'notification dropped',
};

function Facts({ d }: { d: AccountDetail }) {
  const s = d.summary;
  const end = s.tariffEnd;
  return (
    <dl class="facts">
      <dt>Balance</dt><dd>{s.balance ? formatMoney(s.balance.main, s.balance.currency) : '—'}{s.balance?.bonus ? <span class="muted"> (+{formatMoney(s.balance.bonus, s.balance.currency)} bonus)</span> : null}</dd>
      <dt>E-mails left</dt><dd>{formatCount(s.emailsLeft)}</dd>
      <dt>SMTP credits left</dt><dd>{formatCount(s.smtpEmailsLeft)}</dd>
      <dt>Nearest tariff end</dt>
      <dd>{end ? `${end.service}${end.tariff ? ` (${end.tariff})` : ''}: ${formatDateTime(Date.parse(end.at))}, ${end.daysLeft < 0 ? `ended ${formatDays(end.daysLeft)} ago` : `in ${formatDays(end.daysLeft)}`}` : '—'}</dd>
      <dt>Team</dt><dd>{s.team ? `${formatCount(s.team.active)} active, ${formatCount(s.team.inactive)} inactive` : '—'}</dd>
    </dl>
  );
}

function EndpointSection({ e, now }: { e: EndpointView; now: number }) {
  const st = e.status;
  return (
    <section aria-labelledby={`ep-${st.endpoint}`}>
      <h3 id={`ep-${st.endpoint}`}><code>GET {e.path}</code> <span class="muted small">({st.endpoint}: {e.doc})</span></h3>
      <p class="small">
        Last good poll <Ago iso={st.lastSuccess} now={now} />; latest poll <Ago iso={st.lastAttempt} now={now} />
        {st.problemText ? <span class={st.ok ? 'note' : 'bad'}> — {st.problemText}</span> : st.lastAttempt ? ' — ok' : ''}.
        {' '}Every {humanDuration(e.interval.effective * 1000)}{e.interval.effective !== e.interval.configured ? ` (configured ${humanDuration(e.interval.configured * 1000)}, stretched to fit the budget)` : ''}.
      </p>
      <div class="scroll">
        <table>
          <caption class="visually-hidden">Values of the latest good answer of {e.path}</caption>
          <thead><tr><th scope="col">Field</th><th scope="col">Value</th><th scope="col">Meaning</th></tr></thead>
          <tbody>
            {e.fields.map((f) => (
              <tr>
                <th scope="row"><code>{f.path}</code></th>
                <td>{f.unreadable ? <span class="bad">unreadable: {f.unreadable}</span> : f.text}</td>
                <td class="small muted">{f.doc}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {st.unreadable.filter((u) => !e.fields.some((f) => f.path === u.path)).map((u) => (
        <p class="small bad">Unreadable: <code>{u.path}</code> {u.problem}{u.since ? <> (since <Ago iso={u.since} now={now} />)</> : null}</p>
      ))}
    </section>
  );
}

function Budget({ d }: { d: AccountDetail }) {
  const b = d.budget;
  const windows = ['second', 'minute', 'day'] as const;
  return (
    <>
      <table>
        <caption class="visually-hidden">Requests counted in each sliding window against the budget</caption>
        <thead><tr><th scope="col">Window</th><th scope="col" class="num">Used</th><th scope="col" class="num">Limit</th><th scope="col">Share</th></tr></thead>
        <tbody>
          {windows.map((w) => (
            <tr>
              <th scope="row">per {w}</th>
              <td class="num">{formatCount(b.used[w])}</td>
              <td class="num">{formatCount(b.limits[w])}</td>
              <td><meter min={0} max={b.limits[w] || 1} value={Math.min(b.used[w], b.limits[w])} aria-label={`${b.used[w]} of ${b.limits[w]} requests per ${w}`} /> {b.limits[w] ? `${Math.round((b.used[w] / b.limits[w]) * 100)} %` : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="small">
        {b.pausedUntil ? <span class="bad">Paused after a 429 until {formatDateTime(Date.parse(b.pausedUntil))}. </span> : 'No 429 pause now. '}
        {b.pauseStreak > 0 ? `${b.pauseStreak} rate-limit episode${b.pauseStreak === 1 ? '' : 's'} in a row (each doubles the pause). ` : ''}
        This replica got {formatCount(b.rateLimitedHere)} 429 answer{b.rateLimitedHere === 1 ? '' : 's'} for the account since it started.
        {' '}Tier <strong>{d.plan.tier}</strong>; schedule {d.plan.status}{d.plan.status === 'stretched' && d.plan.stretchFactor ? ` ×${d.plan.stretchFactor.toFixed(2)}` : ''}.
      </p>
    </>
  );
}

function History({ events, now }: { events: AlertEventView[]; now: number }) {
  if (events.length === 0) return <p class="muted">No alert has fired for this account yet.</p>;
  return (
    <table class="cards">
      <thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Alert</th><th scope="col">Channel</th><th scope="col">Detail</th></tr></thead>
      <tbody>
        {events.map((e) => (
          <tr>
            <td data-label="When"><Ago iso={e.at} now={now} /><div class="small muted">{formatDateTime(Date.parse(e.at))}</div></td>
            <td data-label="Event" class={e.kind === 'failed' || e.kind === 'rejected' || e.kind === 'dropped' ? 'bad' : undefined}>{EVENT_WORDS[e.kind] ?? e.kind}{e.severity !== 'ok' && (e.kind === 'firing' || e.kind === 'escalated' || e.kind === 'deescalated') ? ` (${e.severity})` : ''}</td>
            <td data-label="Alert"><code>{e.rule}</code> <span class="muted">on</span> <code>{e.service}</code></td>
            <td data-label="Channel">{e.channel ?? '—'}</td>
            <td data-label="Detail">{e.error ?? e.headline}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** `/accounts/NAME`: every value, the charts, the alerts and their history, the budget and intervals. */
export function AccountPage({ d, ctx }: { d: AccountDetail; ctx: RenderContext }) {
  const s = d.summary;
  return (
    <Page title={s.name} current="account" refreshSeconds={ctx.refreshSeconds} version={ctx.version} generatedAt={d.generatedAt}>
      <p class="small"><a href="/">« All accounts</a></p>
      <h1><span>{s.name}</span> <SeverityBadge severity={s.severity} /></h1>
      <Facts d={d} />

      <h2 id="alerts">Firing alerts</h2>
      {d.alerts.length === 0 ? <p><span class="sev sev-ok">OK</span> Nothing fires for this account.</p> : <AlertsTable alerts={d.alerts} now={ctx.now} withAccount={false} />}

      <h2 id="trends">Trends</h2>
      <p class="small muted">Over the runway window ({humanDuration(ctx.windowMs)}); a dashed line is the forecast at the recent rate.</p>
      <div class="charts">
        {d.series.map((t) => (
          <figure>
            <figcaption>{t.label} <span class="small muted">(<code>{t.field}</code>) — {runwayText(t)}</span></figcaption>
            <TrendChart trend={t} now={ctx.now} windowMs={ctx.windowMs} />
          </figure>
        ))}
      </div>

      <h2 id="polling">Polling</h2>
      <PollList a={s} now={ctx.now} />
      {d.endpoints.map((e) => <EndpointSection e={e} now={ctx.now} />)}

      <h2 id="budget">Request budget</h2>
      <Budget d={d} />

      <h2 id="rules">Alert rules in force</h2>
      <ul>{d.rules.map((r) => <li><code>{r.rule}</code>: {r.levels}</li>)}</ul>

      <h2 id="history">Alert history</h2>
      <History events={d.history} now={ctx.now} />
    </Page>
  );
}
