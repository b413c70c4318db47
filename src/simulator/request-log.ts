import type { RequestCounts, RequestFilter, RequestRecord } from './types';

function emptyCounts(): RequestCounts {
  return { total: 0, byEndpoint: {}, byStatus: {} };
}

function bump(c: RequestCounts, r: RequestRecord): void {
  c.total++;
  c.byEndpoint[r.endpoint] = (c.byEndpoint[r.endpoint] ?? 0) + 1;
  c.byStatus[r.status] = (c.byStatus[r.status] ?? 0) + 1;
}

/**
 * Every request the simulator answered: the latest `capacity` in a ring buffer (memory stays
 * bounded when a benchmark sends millions), plus counters per account that are never dropped.
 */
export class RequestLog {
  readonly #capacity: number;
  #ring: (RequestRecord | undefined)[];
  #next = 0;
  #size = 0;
  #all = emptyCounts();
  #byAccount = new Map<string | null, RequestCounts>();

  constructor(capacity = 100_000) {
    this.#capacity = Math.max(1, Math.floor(capacity));
    this.#ring = new Array(this.#capacity);
  }

  add(r: RequestRecord): void {
    this.#ring[this.#next] = r;
    this.#next = (this.#next + 1) % this.#capacity;
    if (this.#size < this.#capacity) this.#size++;
    bump(this.#all, r);
    let c = this.#byAccount.get(r.account);
    if (!c) this.#byAccount.set(r.account, (c = emptyCounts()));
    bump(c, r);
  }

  /** Records still held that match the filter, oldest first, as copies. */
  list(f: RequestFilter = {}): RequestRecord[] {
    const out: RequestRecord[] = [];
    const start = (this.#next - this.#size + this.#capacity) % this.#capacity;
    for (let i = 0; i < this.#size; i++) {
      const r = this.#ring[(start + i) % this.#capacity] as RequestRecord;
      if (f.account !== undefined && r.account !== f.account) continue;
      if (f.endpoint !== undefined && r.endpoint !== f.endpoint) continue;
      if (f.status !== undefined && r.status !== f.status) continue;
      if (f.since !== undefined && r.time < f.since) continue;
      if (f.until !== undefined && r.time >= f.until) continue;
      out.push({ ...r });
    }
    return out;
  }

  /** Counts for one account (null: callers whose credentials matched none), or for all when undefined. */
  counts(account?: string | null): RequestCounts {
    const c = account === undefined ? this.#all : this.#byAccount.get(account) ?? emptyCounts();
    return structuredClone(c);
  }

  clear(): void {
    this.#ring = new Array(this.#capacity);
    this.#next = 0;
    this.#size = 0;
    this.#all = emptyCounts();
    this.#byAccount = new Map();
  }
}
