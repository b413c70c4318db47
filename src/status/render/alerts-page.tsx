import { formatDateTime } from '../format-value';
import type { AlertsData, FiringAlert } from '../status-types';
import { Ago, Page, SeverityBadge } from './layout';
import type { RenderContext } from './overview-page';

/** The latest notification of an alert: when, what kind, and which channel has it. */
export function LastNotification({ a, now }: { a: FiringAlert; now: number }) {
  const n = a.lastNotification;
  if (!n.at) return <span class="muted">none yet</span>;
  return (
    <>
      <Ago iso={n.at} now={now} />{n.kind ? <span class="muted"> ({n.kind})</span> : null}
      {n.channels.length === 0 ? <div class="small muted">no channel configured</div> : (
        <ul class="poll">
          {n.channels.map((c) => (
            <li>
              {c.channel}: {c.sentAt
                ? <>sent <time dateTime={c.sentAt}>{formatDateTime(Date.parse(c.sentAt))}</time></>
                : <span class="bad">{n.pending ? 'not yet (retrying)' : 'not delivered'}</span>}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** A table of firing alerts (the /alerts page, and an account page's own). */
export function AlertsTable({ alerts, now, withAccount }: { alerts: FiringAlert[]; now: number; withAccount: boolean }) {
  return (
    <table class="cards">
      <thead>
        <tr>
          {withAccount ? <th scope="col">Account</th> : null}
          <th scope="col">Severity</th><th scope="col">Alert</th><th scope="col">What</th>
          <th scope="col">Firing since</th><th scope="col">Last notification</th>
        </tr>
      </thead>
      <tbody>
        {alerts.map((a) => (
          <tr class={`row-${a.severity}`}>
            {withAccount ? <th scope="row"><a href={a.url}>{a.account}</a></th> : null}
            <td data-label="Severity"><SeverityBadge severity={a.severity} /></td>
            <td data-label="Alert"><code>{a.rule}</code> <span class="muted">on</span> <code>{a.service}</code>{a.alertname ? <div class="small muted">{a.alertname}</div> : null}</td>
            <td data-label="What">{a.headline ?? <span class="muted">—</span>}</td>
            <td data-label="Firing since">{a.since ? <><Ago iso={a.since} now={now} /><div class="small muted">{formatDateTime(Date.parse(a.since))}</div></> : '—'}</td>
            <td data-label="Last notification"><LastNotification a={a} now={now} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** `/alerts`: everything firing across all accounts, worst first. */
export function AlertsPage({ d, ctx }: { d: AlertsData; ctx: RenderContext }) {
  return (
    <Page title="Firing alerts" current="alerts" refreshSeconds={ctx.refreshSeconds} version={ctx.version} generatedAt={d.generatedAt}>
      <h1>Firing alerts</h1>
      {d.total === 0 ? <p><span class="sev sev-ok">OK</span> Nothing is firing.</p> : (
        <>
          <p>{d.total} alert{d.total === 1 ? '' : 's'} firing, worst first.</p>
          <AlertsTable alerts={d.alerts} now={ctx.now} withAccount />
          {d.pages > 1 ? (
            <nav class="pager" aria-label="Pages of alerts">
              {d.page > 1 ? <a rel="prev" href={`/alerts?page=${d.page - 1}`}>‹ Previous</a> : null}
              <span>Page {d.page} of {d.pages}</span>
              {d.page < d.pages ? <a rel="next" href={`/alerts?page=${d.page + 1}`}>Next ›</a> : null}
            </nav>
          ) : null}
        </>
      )}
    </Page>
  );
}
