import fc from 'fast-check';
import { INITIAL_ALERT_STATE, type AlertState, type Severity } from '../../../src/alerts/alert-types';
import { nextAlertState } from '../../../src/alerts/next-alert-state';

const opts = { pendingPolls: 1, repeatInterval: 3600_000, sendResolved: true };

function run(seq: [Severity | null, number][], o = opts) {
  let s: AlertState = { ...INITIAL_ALERT_STATE };
  const kinds: string[] = [];
  for (const [observed, t] of seq) {
    const r = nextAlertState(s, observed, t, t, o);
    if (r.kind) kinds.push(r.kind);
    s = r.state;
  }
  return { s, kinds };
}

describe('nextAlertState', () => {
  it('notifies once on firing, once on escalation, once on de-escalation and once on resolution', () => {
    const { kinds, s } = run([['warning', 1], ['warning', 2], ['critical', 3], ['critical', 4], ['warning', 5], ['ok', 6], ['ok', 7]]);
    expect(kinds).toEqual(['firing', 'escalated', 'deescalated', 'resolved']);
    expect(s.seq).toBe(4);
    expect(s.sinceMs).toBeNull();
  });

  it('keeps the firing start across severity changes', () => {
    const { s } = run([['warning', 10], ['critical', 20]]);
    expect(s.sinceMs).toBe(10);
  });

  it('needs pendingPolls distinct polls in a row before firing', () => {
    const o = { ...opts, pendingPolls: 3 };
    expect(run([['warning', 1], ['warning', 2]], o).kinds).toEqual([]);
    expect(run([['warning', 1], ['ok', 2], ['warning', 3], ['warning', 4]], o).kinds).toEqual([]);
    expect(run([['warning', 1], ['warning', 2], ['warning', 3]], o).kinds).toEqual(['firing']);
  });

  it('does not count the same poll twice (two replicas or a re-evaluation of one poll)', () => {
    const o = { ...opts, pendingPolls: 2 };
    let s = nextAlertState(INITIAL_ALERT_STATE, 'warning', 100, 100, o).state;
    s = nextAlertState(s, 'warning', 100, 101, o).state;
    expect(s.severity).toBe('ok');
    expect(nextAlertState(s, 'warning', 200, 200, o).state.severity).toBe('warning');
  });

  // Found by the soak: the periodic pass on one replica read a reading (ok) just before another
  // replica saved a newer poll (critical) and fired; applied to the new state, the old reading
  // resolved an alert whose value had not changed, and the next poll fired it again.
  it('ignores an observation from a poll older than the one that last changed the state (no phantom RESOLVED)', () => {
    const fired = nextAlertState(INITIAL_ALERT_STATE, 'critical', 200, 201, opts);
    expect(fired.kind).toBe('firing');
    const stale = nextAlertState(fired.state, 'ok', 100, 202, opts);
    expect(stale.kind).toBeNull();
    expect(stale.changed).toBe(false);
    expect(stale.state.severity).toBe('critical');
    // A newer poll still resolves it.
    expect(nextAlertState(stale.state, 'ok', 300, 300, opts).kind).toBe('resolved');
  });

  it('leaves the severity and the pending counter alone when there is no data', () => {
    const o = { ...opts, pendingPolls: 2 };
    const pending = nextAlertState(INITIAL_ALERT_STATE, 'critical', 100, 100, o).state;
    const after = nextAlertState(pending, null, null, 150, o);
    expect(after.changed).toBe(false);
    expect(after.state).toEqual(pending);
  });

  it('sends a reminder every repeatInterval while firing, also without fresh data', () => {
    const { kinds } = run([['critical', 0], ['critical', 1800_000], [null, 3600_000], ['critical', 5000_000], ['critical', 7200_000]]);
    expect(kinds).toEqual(['firing', 'reminder', 'reminder']);
  });

  it('resolves silently when sendResolved is off', () => {
    const { kinds, s } = run([['warning', 1], ['ok', 2]], { ...opts, sendResolved: false });
    expect(kinds).toEqual(['firing']);
    expect(s.severity).toBe('ok');
  });

  it('sends exactly one notification per change of severity for any sequence of observations', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom<Severity>('ok', 'warning', 'critical'), { maxLength: 40 }), (obs) => {
      // Polls one minute apart, reminders far away: every notification is a change.
      const { kinds } = run(obs.map((o, i) => [o, i * 60_000] as [Severity, number]), { ...opts, repeatInterval: 1e15 });
      let changes = 0;
      let prev: Severity = 'ok';
      for (const o of obs) { if (o !== prev) changes++; prev = o; }
      expect(kinds.length).toBe(changes);
    }));
  });
});
