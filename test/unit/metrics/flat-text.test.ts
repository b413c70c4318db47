import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AccountCounter } from '../../../src/metrics/account-counter';
import { CachedFamily } from '../../../src/metrics/cached-family';
import { esc, flatString, val } from '../../../src/metrics/text-format';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const ACCOUNTS = 20_000;

/** Three sample lines of one account, built the way the families build them (template literals, +=): a rope in V8. */
function rendered(i: number): string {
  const a = `account="${esc(`acct-${i}`)}"`;
  let out = '';
  for (const e of ['balance', 'team', 'user_info']) out += `sendpulse_poll_last_success_timestamp_seconds{${a},endpoint="${e}"} ${val(1_733_540_000 + i / 7)}\n`;
  return out;
}

/** Heap bytes still in use by what `fill` returns, after a full collection. */
function retained(fill: () => unknown): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = fill();
  gc();
  const used = process.memoryUsage().heapUsed - before;
  expect(kept).toBeDefined();
  return used;
}

describe('text kept between scrapes', () => {
  it('is the same text, non-ASCII and escapes included', () => {
    for (const s of ['', 'plain', `a{account="${esc('Müller "GmbH" \\ 東京 🚀')}"} 1\n`]) expect(flatString(s)).toBe(s);
  });

  it('is kept flat: a cached family holds much less memory than the ropes its rendering built', () => {
    const ropes = retained(() => {
      const m = new Map<string, string>();
      for (let i = 0; i < ACCOUNTS; i++) m.set(`acct-${i}`, rendered(i));
      return m;
    });
    let family: CachedFamily | null = null;
    const kept = retained(() => {
      family = new CachedFamily('sendpulse_poll_last_success_timestamp_seconds', 'help', 'gauge');
      for (let i = 0; i < ACCOUNTS; i++) family.set(`acct-${i}`, rendered(i));
      return family;
    });
    expect(family!.get('acct-7')).toBe(rendered(7));
    // Measured about 0.6 of the ropes' memory; a family that kept the ropes would be near 1.
    expect(kept / ropes).toBeLessThan(0.8);
  });

  it('shares a counter\'s label keys between accounts: 18 series per account cost far less than a key of their own each', () => {
    const endpoints = ['balance', 'team', 'user_info'];
    const reasons = ['timeout', 'http_5xx', 'auth', 'network', 'invalid', 'rate_limited'];
    // What each account held before: its own copy (a rope) of every label key.
    const own = retained(() => {
      const m = new Map<string, Map<string, number>>();
      for (let i = 0; i < ACCOUNTS; i++) {
        const series = new Map<string, number>();
        for (const endpoint of endpoints) for (const reason of reasons) series.set(`,endpoint="${esc(endpoint)}"` + `,reason="${esc(reason)}"`, 0);
        m.set(`acct-${i}`, series);
      }
      return m;
    });
    let counter: AccountCounter<'endpoint' | 'reason'> | null = null;
    const shared = retained(() => {
      counter = new AccountCounter('sendpulse_poll_errors_total', 'help', ['endpoint', 'reason']);
      for (let i = 0; i < ACCOUNTS; i++) for (const endpoint of endpoints) for (const reason of reasons) counter.inc({ account: `acct-${i}`, endpoint, reason }, 0);
      return counter;
    });
    expect(counter!.get({ account: 'acct-7', endpoint: 'team', reason: 'auth' })).toBe(0);
    // Measured about 0.2; with a key built per account (not shared) the counter measured 0.53.
    expect(shared / own).toBeLessThan(0.35);
  });
});
