import { severityFor } from '../../../src/alerts/severity-for';

const balance = { warning: 10, critical: 2 };
const subs = { warning: 0.9, critical: 0.98 };

describe('severityFor', () => {
  it('fires warning and critical as a falling value crosses each threshold', () => {
    expect(severityFor(50, balance, 'below', 'ok', 0.05)).toBe('ok');
    expect(severityFor(9.99, balance, 'below', 'ok', 0.05)).toBe('warning');
    expect(severityFor(1.5, balance, 'below', 'ok', 0.05)).toBe('critical');
  });

  it('treats a value exactly at a below-threshold as not below it', () => {
    expect(severityFor(10, balance, 'below', 'ok', 0.05)).toBe('ok');
  });

  it('keeps firing until the value is past the threshold by the hysteresis margin', () => {
    expect(severityFor(10.4, balance, 'below', 'warning', 0.05)).toBe('warning');
    expect(severityFor(10.5, balance, 'below', 'warning', 0.05)).toBe('ok');
    expect(severityFor(2.05, balance, 'below', 'critical', 0.05)).toBe('critical');
    expect(severityFor(2.1, balance, 'below', 'critical', 0.05)).toBe('warning');
    // Straight from critical to ok needs the margin on the warning threshold too.
    expect(severityFor(10.2, balance, 'below', 'critical', 0.05)).toBe('warning');
  });

  it('escalates without any margin', () => {
    expect(severityFor(1.99, balance, 'below', 'warning', 0.05)).toBe('critical');
  });

  it('handles rules where higher is worse (subscriber share)', () => {
    expect(severityFor(0.9, subs, 'above', 'ok', 0.05)).toBe('warning');
    expect(severityFor(0.99, subs, 'above', 'ok', 0.05)).toBe('critical');
    expect(severityFor(0.86, subs, 'above', 'warning', 0.05)).toBe('warning');
    expect(severityFor(0.85, subs, 'above', 'warning', 0.05)).toBe('ok');
  });

  it('never reaches critical through an infinite critical threshold (stale)', () => {
    expect(severityFor(1e12, { warning: 900_000, critical: Infinity }, 'above', 'ok', 0.05)).toBe('warning');
  });
});
