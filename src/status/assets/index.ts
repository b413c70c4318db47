import { createHash } from 'node:crypto';
import { STATUS_CSS } from './status-css';
import { STATUS_JS } from './status-js';

/** A file the monitor serves under /static/ for its pages. */
export interface StaticAsset {
  contentType: string;
  body: string;
  /** A short hash of the body: pages link `?v=<hash>`, so a new version is fetched and an old one can be cached. */
  version: string;
}

// A bell-less "pulse" mark, so the browser's favicon request gets an answer from the monitor itself.
const FAVICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1a4fa3"/><path d="M2 9h3l2-5 2 8 2-3h3" fill="none" stroke="#fff" stroke-width="1.6"/></svg>';

function asset(contentType: string, body: string): StaticAsset {
  return { contentType, body, version: createHash('sha256').update(body).digest('hex').slice(0, 10) };
}

/** Every static file, by path. */
export const STATIC_ASSETS: Readonly<Record<string, StaticAsset>> = {
  '/static/status.css': asset('text/css; charset=utf-8', STATUS_CSS),
  '/static/status.js': asset('text/javascript; charset=utf-8', STATUS_JS),
  '/static/favicon.svg': asset('image/svg+xml', FAVICON_SVG),
};

/** The versioned URL of a static file. */
export function assetUrl(path: keyof typeof STATIC_ASSETS & string): string {
  return `${path}?v=${STATIC_ASSETS[path].version}`;
}
