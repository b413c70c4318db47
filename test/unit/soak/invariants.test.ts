import { checkBudget, checkNotifications, type History } from '../../../bench/soak/invariants';
import type { FaultRecord } from '../../../bench/soak/faults';
import type { Delivery } from '../../../bench/soak/receivers';

/** The soak's checkers read only the recorded history: these pin how they judge a few hard cases. */
const T0 = 1_000_000;

function history(over: Partial<History>): History {
  return {
    startedAt: T0, faultsEndedAt: T0 + 200_000, endedAt: T0 + 300_000, accounts: ['a01'],
    requests: [], faults: [], sets: [], health: [], seen: [], channels: { webhook: [] },
    replicas: [], harnessErrors: [], ...over,
  };
}

/** Good balance polls of a01 every 2 s over [from, to). */
function polls(from: number, to: number) {
  const out = [];
  for (let t = from; t < to; t += 2000) out.push({ time: T0 + t, account: 'a01', endpoint: 'balance' as const, status: 200 });
  return out;
}

const wipe = (at: number): FaultRecord => ({ n: 1, kind: 'redis-wipe', target: 'master', accounts: [], start: T0 + at, end: T0 + at + 5000 });
const d = (at: number, seq: number, severity: string): Delivery => ({ at: T0 + at, id: `a01.balance.balance.${seq}`, severity });

describe('soak invariants', () => {
  it('counts a budget window that ends a harness stall apart, and fails the same window without the stall', () => {
    const burst = [0, 10, 20].map((ms) => ({ time: T0 + 50_000 + ms, account: 'a01', endpoint: 'balance' as const, status: 200 }));
    const without = checkBudget(history({ requests: burst }))[0];
    expect(without.ok).toBe(false);
    expect(without.violations[0]).toMatch(/a01: 3 requests within 900 ms/);
    const stalled = checkBudget(history({ requests: burst, harnessStalls: [{ at: T0 + 47_000, ms: 3000 }] }))[0];
    expect(stalled.ok).toBe(true);
    expect(stalled.figure).toMatch(/1 windows ending a harness stall exempt/);
  });

  it('puts a send in flight when Redis was wiped in the old epoch, not out of order in the new one', () => {
    // balance warning at 10 s, critical at 40 s; Redis wiped at 60 s; the critical (#2) lands 1 s later,
    // then the new epoch mails the alert still firing as its #1.
    const sets = [{ at: T0 + 10_000, account: 'a01', knob: 'balance' as const, level: 'warning' as const }, { at: T0 + 40_000, account: 'a01', knob: 'balance' as const, level: 'critical' as const }];
    const webhook = [d(12_000, 1, 'warning'), d(61_000, 2, 'critical'), d(70_000, 1, 'critical')];
    const [res] = checkNotifications(history({ requests: polls(0, 120_000), sets, faults: [wipe(60_000)], channels: { webhook } }));
    expect(res.violations).toEqual([]);
  });

  it('allows the tail of an epoch ended by a wipe to be lost with the outbox, but not a missing transition in the last epoch', () => {
    const sets = [{ at: T0 + 10_000, account: 'a01', knob: 'balance' as const, level: 'warning' as const }, { at: T0 + 40_000, account: 'a01', knob: 'balance' as const, level: 'critical' as const }];
    const lost = checkNotifications(history({ requests: polls(0, 120_000), sets, faults: [wipe(60_000)], channels: { webhook: [d(12_000, 1, 'warning'), d(70_000, 1, 'critical')] } }))[0];
    expect(lost.violations).toEqual([]);
    expect(lost.figure).toMatch(/1 transitions still in the outbox when Redis was wiped/);
    const missing = checkNotifications(history({ requests: polls(0, 120_000), sets, channels: { webhook: [d(12_000, 1, 'warning')] } }))[0];
    expect(missing.violations).toEqual(['a01.balance.balance: transitions ok→warning→critical not all delivered, got ok→warning']);
  });
});
