import { TextFamily } from './cached-family';
import { esc, flatString, val } from './text-format';

/**
 * A per-process counter labelled by account (plus other labels), written as text. Values are kept as
 * numbers and rendered only when the family is written (a plain scrape) or compressed again after a
 * change (a gzip scrape): at 10,000 accounts sendpulse_poll_errors_total alone is 180,000 series at 0,
 * which prom-client formatted on every scrape and which would be ~17 MB if kept as text.
 */
export class AccountCounter<L extends string> extends TextFamily {
  /** account → rendered label suffix (`,endpoint="x",code="200"`) → value. */
  readonly #values = new Map<string, Map<string, number>>();
  /** The label keys in use (without the account), each once. */
  readonly #keys = new Map<string, string>();

  /** `labelNames` are the labels after `account`, in the order they are written. */
  constructor(name: string, help: string, private readonly labelNames: readonly L[]) {
    super(name, help, 'counter');
  }

  /** This counter as a family of the exposition (it is one). */
  get family(): this {
    return this;
  }

  #key(labels: Record<L, string>): string {
    let key = '';
    for (const l of this.labelNames) key += `,${l}="${esc(labels[l])}"`;
    // One flat copy per distinct label set, shared by every account (a rope per account and series
    // was ~180,000 of them at 10,000 accounts: text-format.ts, flatString).
    let canonical = this.#keys.get(key);
    if (canonical === undefined) this.#keys.set(key, (canonical = flatString(key)));
    return canonical;
  }

  /** Adds `n` (default 1) to the series of `labels`; 0 creates the series at 0 (so increase() sees its first event). */
  inc(labels: { account: string } & Record<L, string>, n = 1): void {
    const key = this.#key(labels);
    let series = this.#values.get(labels.account);
    if (!series) this.#values.set(labels.account, (series = new Map()));
    series.set(key, (series.get(key) ?? 0) + n);
    this.changed();
  }

  /** The value of one series; undefined when it does not exist. */
  get(labels: { account: string } & Record<L, string>): number | undefined {
    return this.#values.get(labels.account)?.get(this.#key(labels));
  }

  protected *samples(): Iterable<string> {
    for (const [account, series] of this.#values) {
      const a = `${this.name}{account="${esc(account)}"`;
      let out = '';
      for (const [key, v] of series) out += `${a}${key}} ${val(v)}\n`;
      yield out;
    }
  }
}
