import type { AccountConfig } from '../config/types';
import { childLogger } from '../logger';
import { ENDPOINTS } from '../sendpulse/endpoints';
import { compareIds, type AccountState, type ReadingStore } from '../state/reading-store';
import { CachedFamily } from './cached-family';
import { READING_FAMILIES, renderFamilySamples } from './reading-families';
import { esc, val } from './text-format';

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

/** Options; defaults next to each. */
export interface AccountMetricsOptions {
  /** How often the families catch up with the change log between scrapes, ms; default 1 s. */
  catchUpEveryMs?: number;
  /** How long after the last scrape the catching up goes on, ms; default 2 min (then it waits for the next scrape). */
  catchUpForMs?: number;
  /** The index in `stores` of an account's store (its shard, src/state/shards.ts); default 0 (one store). */
  storeOf?: (account: string) => number;
}

/**
 * The per-account gauges from the shared state in Redis, so any replica serves every account with the
 * same values. Each family keeps every account's samples as text (CachedFamily), and catches up with
 * the change log (ReadingStore.changesSince): only the accounts written since are read again and
 * re-rendered, so rendering follows the polls, not the scrapes; an account whose latest write was
 * this replica's own save is rendered from the save's answer (observe()), without a read. While
 * someone scrapes, the catching up runs every second in the background, so a scrape reads about a
 * second's worth of changes and concatenates. The first refresh, and one after the log lost track
 * (no catch-up for CHANGE_LOG_MS, or Redis that lost its data), reads every account, in pipelined
 * chunks that let polls run between.
 */
export class AccountMetrics {
  readonly #log = childLogger({ component: 'account-metrics' });
  readonly #state: Record<StateFamily, CachedFamily>;
  readonly #values: CachedFamily[];
  readonly #families: CachedFamily[];
  readonly #stores: readonly ReadingStore[];
  readonly #storeOf: (account: string) => number;
  /** The change-log cursor of each store. */
  readonly #cursors: (string | null)[];
  #known = new Set<string>();
  /** States this replica's own saves answered with (observe()), by account, until a catch-up uses or passes them. */
  readonly #fed = new Map<string, { id: string; state: AccountState }>();
  #running: Promise<void> | null = null;
  #scrapedAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  readonly #every: number;
  readonly #for: number;

  /** `stores`: the reading store of each shard (one without `redis.shards`; see `opts.storeOf`); `accounts`: every configured account. */
  constructor(stores: readonly ReadingStore[], private readonly accounts: () => readonly AccountConfig[], opts: AccountMetricsOptions = {}) {
    this.#stores = stores;
    this.#storeOf = opts.storeOf ?? (() => 0);
    this.#cursors = this.#stores.map(() => null);
    this.#every = opts.catchUpEveryMs ?? 1000;
    this.#for = opts.catchUpForMs ?? 120_000;
    const fam = (k: StateFamily) => new CachedFamily(STATE_FAMILIES[k][0], STATE_FAMILIES[k][1], 'gauge');
    this.#state = { up: fam('up'), credentials: fam('credentials'), lastSuccess: fam('lastSuccess'), unreadable: fam('unreadable') };
    this.#values = READING_FAMILIES.map((f) => new CachedFamily(f.name, f.help, 'gauge'));
    this.#families = [this.#state.up, this.#state.credentials, ...this.#values, this.#state.lastSuccess, this.#state.unreadable];
  }

  /**
   * Brings the cached families up to date with Redis (or waits for the catch-up under way) and returns
   * them, in the order they are written; keeps catching up in the background while scrapes come.
   * When Redis cannot be read the families keep what was read last (logged).
   */
  async refresh(): Promise<CachedFamily[]> {
    this.#scrapedAt = Date.now();
    if (!this.#closed) this.#timer ??= setInterval(() => {
      if (Date.now() - this.#scrapedAt > this.#for) {
        this.stop();
        return;
      }
      this.#catchUp().catch(() => undefined);
    }, this.#every).unref();
    await this.#catchUp();
    return this.#families;
  }

  /**
   * Hands over an account's state as this replica's save answered it (ReadingStore.saveSuccess), with
   * the save's change-log id: the next catch-up renders it instead of reading the account again,
   * unless the log shows a newer write (another replica's). Kept only while someone scrapes (the
   * background catch-up runs); otherwise the next scrape reads what changed anyway.
   */
  observe(account: string, state: AccountState, changeId: string): void {
    if (this.#timer === null) return;
    const had = this.#fed.get(account);
    if (!had || compareIds(changeId, had.id) > 0) this.#fed.set(account, { id: changeId, state });
  }

  /** Stops the background catching up (it starts again with the next scrape). */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#fed.clear();
  }

  /** Stops the background catching up for good: a scrape during shutdown reads once and starts no timer. */
  close(): void {
    this.#closed = true;
    this.stop();
  }

  #catchUp(): Promise<void> {
    return (this.#running ??= this.#read().finally(() => { this.#running = null; }));
  }

  async #read(): Promise<void> {
    const accounts = this.accounts();
    const configured = new Set(accounts.map((a) => a.name));
    const byStore: string[][] = this.#stores.map(() => []);
    for (const a of accounts) byStore[this.#storeOf(a.name)].push(a.name);
    // Each store (shard) has its own change log and its own slot (on a cluster, maybe its own master).
    await Promise.all(this.#stores.map((_, i) => this.#readStore(i, byStore[i], configured)));
    for (const name of this.#known) {
      if (configured.has(name)) continue;
      for (const f of this.#families) f.delete(name);
      this.#known.delete(name);
    }
  }

  async #readStore(i: number, mine: readonly string[], configured: ReadonlySet<string>): Promise<void> {
    const store = this.#stores[i];
    try {
      const { cursor, changed } = await store.changesSince(this.#cursors[i]);
      // Accounts never read yet (the first scrape, or new to the config) are read whatever the log
      // says; an account this replica saved last (its save's id is the log's newest for it, or
      // newer) is rendered from the save's answer, without a read.
      const read = new Set(changed === null ? mine : mine.filter((a) => !this.#known.has(a)));
      for (const [a, id] of changed ?? []) {
        if (!read.has(a) && configured.has(a) && this.#storeOf(a) === i && !this.#renderedFromSave(a, id)) read.add(a);
      }
      const names = [...read];
      for (const [name, fed] of this.#fed) if (this.#storeOf(name) === i && compareIds(fed.id, cursor) <= 0) this.#fed.delete(name);
      for (let k = 0; k < names.length; k += CHUNK) {
        if (k > 0) await new Promise<void>((r) => setImmediate(r));
        const chunk = names.slice(k, k + CHUNK);
        const states = await store.getMany(chunk);
        chunk.forEach((name, j) => this.#fill(name, states[j]));
      }
      this.#cursors[i] = cursor;
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'account state unavailable for this scrape; serving the values read last');
    }
  }

  /** Renders a known `account` from the state its save here answered with if that is as new as `lastId`; false when it must be read. */
  #renderedFromSave(account: string, lastId: string): boolean {
    const fed = this.#fed.get(account);
    if (!fed || !this.#known.has(account) || compareIds(fed.id, lastId) < 0) return false;
    this.#fill(account, fed.state);
    return true;
  }

  #fill(account: string, s: AccountState): void {
    this.#known.add(account);
    const a = `account="${esc(account)}"`;
    const line = (f: StateFamily, labels: string, v: number) => `${STATE_FAMILIES[f][0]}{${labels}} ${val(v)}\n`;
    this.#state.up.set(account, line('up', a, ENDPOINTS.every((e) => s.endpoints[e].ok) ? 1 : 0));
    this.#state.credentials.set(account, line('credentials', a, s.auth === 'failing' ? 0 : 1));
    let last = '';
    let unreadable = '';
    for (const e of ENDPOINTS) {
      const ep = s.endpoints[e];
      if (ep.lastSuccessMs !== null) last += line('lastSuccess', `${a},endpoint="${e}"`, ep.lastSuccessMs / 1000);
      if (ep.reading) unreadable += line('unreadable', `${a},endpoint="${e}"`, ep.reading.unreadable.length);
    }
    this.#state.lastSuccess.set(account, last);
    this.#state.unreadable.set(account, unreadable);
    const readings = { user_info: s.endpoints.user_info.reading, team: s.endpoints.team.reading, balance: s.endpoints.balance.reading };
    READING_FAMILIES.forEach((f, i) => {
      const out: string[] = [];
      renderFamilySamples(f, a, readings, out);
      this.#values[i].set(account, out.join(''));
    });
  }
}
