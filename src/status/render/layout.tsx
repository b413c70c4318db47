import type { ComponentChildren, VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { assetUrl } from '../assets';
import type { AccountSeverity } from '../status-types';
import { formatAgo, formatDateTime } from '../format-value';

/** Seconds between reloads without JavaScript (a meta refresh: it flickers, so only as the fallback). */
const NO_JS_REFRESH_S = 60;

/** The words of each state; the colour only repeats them. */
export const SEVERITY_WORDS: Readonly<Record<AccountSeverity, string>> = {
  critical: 'Critical', warning: 'Warning', ok: 'OK', unknown: 'No data',
};

/** A state as a coloured badge with its word. */
export function SeverityBadge({ severity }: { severity: AccountSeverity }) {
  return <span class={`sev sev-${severity}`}>{SEVERITY_WORDS[severity]}</span>;
}

/** A time as "5m ago", with the exact time as its machine-readable value and tooltip. */
export function Ago({ iso, now }: { iso: string | null; now: number }) {
  if (!iso) return <span class="muted">never</span>;
  const ms = Date.parse(iso);
  return <time dateTime={iso} title={formatDateTime(ms)}>{formatAgo(ms, now)}</time>;
}

/** What every page needs to know for its frame. */
export interface PageFrame {
  title: string;
  /** Which top link is the current page. */
  current: 'accounts' | 'alerts' | 'account';
  /** Seconds between updates with JavaScript. */
  refreshSeconds: number;
  version: string;
  generatedAt: string;
  /** Shown above <main>, not swapped by the updates (the search form). */
  before?: ComponentChildren;
  children: ComponentChildren;
}

/** The page shell: header, navigation, the live region the script updates, the colour legend. */
export function Page(f: PageFrame) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${f.title} · sendpulse-monitor`}</title>
        <link rel="stylesheet" href={assetUrl('/static/status.css')} />
        <link rel="icon" type="image/svg+xml" href={assetUrl('/static/favicon.svg')} />
        <script src={assetUrl('/static/status.js')} defer />
        <noscript><meta http-equiv="refresh" content={String(NO_JS_REFRESH_S)} /></noscript>
      </head>
      <body data-refresh={String(f.refreshSeconds)}>
        <a class="skip" href="#live">Skip to content</a>
        <header class="top">
          <span class="brand">sendpulse-monitor</span>
          <nav aria-label="Pages">
            <a href="/" aria-current={f.current === 'accounts' ? 'page' : undefined}>Accounts</a>
            <a href="/alerts" aria-current={f.current === 'alerts' ? 'page' : undefined}>Firing alerts</a>
            <a href="/metrics">Metrics</a>
          </nav>
        </header>
        {f.before}
        <main id="live" class="wrap" tabIndex={-1}>
          {f.children}
          <p class="updated">
            Data as of <time dateTime={f.generatedAt}>{formatDateTime(Date.parse(f.generatedAt))}</time>.
          </p>
        </main>
        <footer>
          <p>
            <span class="js-only">This page updates itself every {f.refreshSeconds} s. </span>
            <noscript>This page reloads itself every {NO_JS_REFRESH_S} s. </noscript>
            <button type="button" id="refresh-toggle" class="secondary" aria-pressed="false" hidden>Pause updates</button>{' '}
            <span id="refresh-note" role="status" />
          </p>
          <p class="legend">
            <span>States:</span>
            <span><SeverityBadge severity="critical" /> an alert at its critical level</span>
            <span><SeverityBadge severity="warning" /> an alert at its warning level</span>
            <span><SeverityBadge severity="ok" /> nothing firing</span>
            <span><SeverityBadge severity="unknown" /> no good poll yet</span>
          </p>
          <p>sendpulse-monitor {f.version}. Values come from the monitor's latest polls, kept in Redis; this page never calls SendPulse.</p>
        </footer>
      </body>
    </html>
  );
}

/** A whole page as HTML text: the doctype and the rendered tree (every value escaped by preact). */
export function renderPage(page: VNode): string {
  return `<!doctype html>${renderToString(page)}`;
}
