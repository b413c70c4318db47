import type { AccountConfig } from '../config/types';
import { childLogger } from '../logger';
import { ENDPOINTS } from '../sendpulse/endpoints';
import type { AccountState, ReadingStore } from '../state/reading-store';
import { READING_FAMILIES, renderFamilySamples } from './reading-families';
import { esc, family, val } from './text-format';

/** The per-account families about the polls themselves (not read from SendPulse's fields), with their help text. */
const STATE_FAMILIES = {
  up: ['sendpulse_up', '1 when the latest background poll of every endpoint of the account succeeded, else 0.'],
  credentials: ['sendpulse_credentials_valid', "0 while SendPulse rejects the account's credentials (polling is then backed off), else 1."],
  lastSuccess: ['sendpulse_poll_last_success_timestamp_seconds', 'Unix time of the latest successful background poll of the endpoint.'],
  unreadable: ['sendpulse_response_unreadable_fields', 'Fields (or whole sections) of the latest successful answer of the endpoint that could not be read; their values are left out, the rest is kept.'],
} as const;
type StateFamily = keyof typeof STATE_FAMILIES;

/** Accounts read from Redis per pipelined round trip; between chunks the event loop runs polls. */
const CHUNK = 1000;

/** Every per-account family name with its HELP, in the order written (for docs and tests). */
export const ACCOUNT_FAMILIES: readonly { name: string; help: string }[] = [
  ...(['up', 'credentials'] as const).map((k) => ({ name: STATE_FAMILIES[k][0], help: STATE_FAMILIES[k][1] })),
  ...READING_FAMILIES.map((f) => ({ name: f.name, help: f.help })),
  ...(['lastSuccess', 'unreadable'] as const).map((k) => ({ name: STATE_FAMILIES[k][0], help: STATE_FAMILIES[k][1] })),
];

/**
 * The per-account gauges, read from the ReadingStore on every scrape (`refresh`), so any replica
 * serves every account with the same values and nothing is split across pods. The value families
 * come from the field table (READING_FAMILIES); the others say how the polls went.
 *
 * Why text and not prom-client Gauges: at 10,000 accounts these are ~190,000 series; filling Gauges
 * (a label hash per series) and letting the registry format them took over 2 s per scrape and
 * blocked the event loop, so polls started late (benchmark: p99 poll lag 4.4 s). Written straight
 * into the exposition format, in chunks that let polls run in between, it is a fraction of that.
 */
export class AccountMetrics {
  readonly #log = childLogger({ component: 'account-metrics' });
  #last = '';

  constructor(private readonly store: ReadingStore, private readonly accounts: () => readonly AccountConfig[]) {}

  /**
   * Reads every account's state from Redis and returns the per-account families in the Prometheus
   * text format; when Redis cannot be read, the last text read (logged).
   */
  async refresh(): Promise<string> {
    const accounts = this.accounts();
    const state: Record<StateFamily, string[]> = { up: [], credentials: [], lastSuccess: [], unreadable: [] };
    const values = READING_FAMILIES.map(() => [] as string[]);
    try {
      for (let i = 0; i < accounts.length; i += CHUNK) {
        if (i > 0) await new Promise<void>((r) => setImmediate(r));
        const names = accounts.slice(i, i + CHUNK).map((a) => a.name);
        const states = await this.store.getMany(names);
        names.forEach((name, k) => fill(state, values, name, states[k]));
      }
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'account state unavailable for this scrape; serving the values read last');
      return this.#last;
    }
    const fam = (k: StateFamily) => family(STATE_FAMILIES[k][0], STATE_FAMILIES[k][1], 'gauge', state[k]);
    this.#last = [
      fam('up'), fam('credentials'),
      ...READING_FAMILIES.map((f, i) => family(f.name, f.help, 'gauge', values[i])),
      fam('lastSuccess'), fam('unreadable'),
    ].join('\n');
    return this.#last;
  }
}

function fill(state: Record<StateFamily, string[]>, values: string[][], account: string, s: AccountState): void {
  const a = `account="${esc(account)}"`;
  const put = (f: StateFamily, labels: string, v: number) => state[f].push(`${STATE_FAMILIES[f][0]}{${labels}} ${val(v)}\n`);
  put('up', a, ENDPOINTS.every((e) => s.endpoints[e].ok) ? 1 : 0);
  put('credentials', a, s.auth === 'failing' ? 0 : 1);
  for (const e of ENDPOINTS) {
    const ep = s.endpoints[e];
    if (ep.lastSuccessMs !== null) put('lastSuccess', `${a},endpoint="${e}"`, ep.lastSuccessMs / 1000);
    if (ep.reading) put('unreadable', `${a},endpoint="${e}"`, ep.reading.unreadable.length);
  }
  const readings = { user_info: s.endpoints.user_info.reading, team: s.endpoints.team.reading, balance: s.endpoints.balance.reading };
  READING_FAMILIES.forEach((f, i) => renderFamilySamples(f, a, readings, values[i]));
}
