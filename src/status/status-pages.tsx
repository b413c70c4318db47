import { STATIC_ASSETS } from './assets';
import { parseOverviewQuery } from './overview-query';
import { AccountPage } from './render/account-page';
import { AlertsPage } from './render/alerts-page';
import { Page, renderPage } from './render/layout';
import { OverviewPage, type RenderContext } from './render/overview-page';
import { ALERTS_PER_PAGE, type StatusReader } from './status-reader';

/** An answer of the status pages. */
export interface StatusResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Options; defaults next to each. */
export interface StatusPagesOptions {
  version: string;
  /** Seconds between the pages' own updates (with JavaScript). */
  refreshSeconds: number;
  /** The runway window, ms (what the trends cover). */
  windowMs: number;
  /** Null when the state can be read, else why not ("redis is reconnecting"): answered with 503 at once. */
  unavailable: () => string | null;
  /** The clock, ms; default Date.now. */
  now?: () => number;
}

/**
 * Nothing but the monitor itself: no inline script or style, no other origin, no framing. Inline
 * SVG elements are part of the document, not images, so charts need no img-src exception.
 */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
  + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const COMMON_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

function html(status: number, body: string): StatusResponse {
  return { status, body, headers: { ...COMMON_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } };
}

function json(status: number, value: unknown): StatusResponse {
  return { status, body: `${JSON.stringify(value)}\n`, headers: { ...COMMON_HEADERS, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } };
}

function accountName(path: string, prefix: string): string | null {
  if (!path.startsWith(prefix)) return null;
  try {
    const name = decodeURIComponent(path.slice(prefix.length));
    return name === '' || name.includes('/') ? null : name;
  } catch {
    return null;
  }
}

/**
 * The status pages and their JSON API: `/`, `/accounts/NAME`, `/alerts`, `/api/v1/accounts`,
 * `/api/v1/accounts/NAME`, `/api/v1/alerts` and the static files they use. HTML and JSON carry the
 * same objects (status-types.ts). Reads Redis only, through the StatusReader.
 */
export class StatusPages {
  readonly #now: () => number;

  constructor(private readonly reader: StatusReader, private readonly opts: StatusPagesOptions) {
    this.#now = opts.now ?? Date.now;
  }

  /** The answer for a GET of `path`, or null when the path is none of the status pages'. */
  async handle(path: string, params: URLSearchParams): Promise<StatusResponse | null> {
    const asset = STATIC_ASSETS[path === '/favicon.ico' ? '/static/favicon.svg' : path];
    if (asset) {
      // Pages link `?v=<hash>`: such a URL never changes content, so it may be kept for a year.
      const immutable = params.get('v') === asset.version;
      return { status: 200, body: asset.body, headers: { ...COMMON_HEADERS, 'content-type': asset.contentType,
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' } };
    }
    const api = path.startsWith('/api/v1/');
    const route = api ? path.slice('/api/v1'.length) : path;
    const known = route === '/' && !api || route === '/accounts' && api || route === '/alerts' || accountName(route, '/accounts/') !== null;
    if (!known) return null;
    const down = this.opts.unavailable();
    if (down) return api ? json(503, { error: `state unavailable: ${down}` }) : html(503, this.#message('Unavailable', `The monitor cannot read its state now (${down}). Try again in a moment.`));
    const ctx: RenderContext = { now: this.#now(), windowMs: this.opts.windowMs, refreshSeconds: this.opts.refreshSeconds, version: this.opts.version };

    if (route === '/' || route === '/accounts') {
      const d = await this.reader.overview(parseOverviewQuery(params));
      return api ? json(200, d) : html(200, renderPage(<OverviewPage d={d} ctx={ctx} />));
    }
    if (route === '/alerts') {
      const page = Number(params.get('page') ?? '1');
      const d = await this.reader.alerts(Number.isInteger(page) ? page : 1, ALERTS_PER_PAGE);
      return api ? json(200, d) : html(200, renderPage(<AlertsPage d={d} ctx={ctx} />));
    }
    const name = accountName(route, '/accounts/') as string;
    const d = await this.reader.account(name);
    if (!d) return api ? json(404, { error: 'no such account' }) : html(404, this.#message('No such account', 'No account of that name is watched.'));
    return api ? json(200, d) : html(200, renderPage(<AccountPage d={d} ctx={ctx} />));
  }

  #message(title: string, text: string): string {
    return renderPage(
      <Page title={title} current="account" refreshSeconds={this.opts.refreshSeconds} version={this.opts.version} generatedAt={new Date(this.#now()).toISOString()}>
        <h1>{title}</h1>
        <p>{text}</p>
        <p><a href="/">All accounts</a></p>
      </Page>,
    );
  }
}
