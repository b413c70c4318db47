import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { InvalidResponseError } from '../../src/errors';
import { AccountMetrics } from '../../src/metrics/account-metrics';
import type { CachedFamily } from '../../src/metrics/cached-family';
import { ENDPOINTS, ENDPOINT_DEFS, type Endpoint } from '../../src/sendpulse/endpoints';
import { decodeJsonBody } from '../../src/sendpulse/decode-body';
import type { Reading } from '../../src/sendpulse/readings';
import { decodeAccount, type AccountState, type ReadingStore } from '../../src/state/reading-store';

/** Where the recorded SendPulse bodies are: test/fixtures/<endpoint>/. */
export const FIXTURES = join(__dirname, '../fixtures');

/** The time every fixture reading is said to be taken at, so the .prom files do not change. */
export const FIXTURE_POLL_MS = Date.UTC(2026, 0, 1);

/** Decodes and parses one fixture the way a poll does (dates in UTC); the reading or the InvalidResponseError. */
export function readFixture(endpoint: Endpoint, file: string): Reading | InvalidResponseError {
  const text = readFileSync(join(FIXTURES, endpoint, file), 'utf8');
  const contentType = extname(file) === '.html' ? 'text/html; charset=utf-8' : 'application/json';
  try {
    return ENDPOINT_DEFS[endpoint].parse(decodeJsonBody(endpoint, 200, contentType, text), { timeZone: 'UTC' });
  } catch (err) {
    if (err instanceof InvalidResponseError) return err;
    throw err;
  }
}

/**
 * The per-account families of /metrics for accounts in these states, rendered once by the real
 * renderer (AccountMetrics over a store that answers them, with no change log). Closed at once: a
 * refresh starts the background catching up a scraped replica keeps, a timer per call otherwise.
 */
export async function renderedFamilies(states: ReadonlyMap<string, AccountState>): Promise<CachedFamily[]> {
  const store = { getMany: async (names: string[]) => names.map((n) => states.get(n)!), changesSince: async () => ({ cursor: '0-0', changed: null }) } as unknown as ReadingStore;
  const metrics = new AccountMetrics([store], () => [...states.keys()].map((name) => ({ name }) as never));
  return metrics.refresh().finally(() => metrics.close());
}

/**
 * What /metrics shows for an account `main` whose only good poll of `endpoint` gave `reading`: the
 * real renderer (AccountMetrics over the stored state), the families that have samples, then one
 * comment line per unreadable field. This is the text the .prom files hold.
 */
export async function fixtureMetrics(endpoint: Endpoint, reading: Reading): Promise<string> {
  const hash: Record<string, string> = {};
  for (const e of ENDPOINTS) Object.assign(hash, { [`${e}.ok`]: '1' });
  Object.assign(hash, {
    [`${endpoint}.reading`]: JSON.stringify(reading), [`${endpoint}.success`]: String(FIXTURE_POLL_MS),
    [`${endpoint}.attempt`]: String(FIXTURE_POLL_MS), [`${endpoint}.ok`]: '1',
  });
  const families = (await renderedFamilies(new Map([['main', decodeAccount(hash)]]))).map((f) => f.text()).filter((t) => /\n[a-z_]+\{/.test(t));
  const comments = reading.unreadable.map((p) => `# unreadable ${p.path}: ${p.problem}\n`);
  return families.join('') + comments.join('');
}
