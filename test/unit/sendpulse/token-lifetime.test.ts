import { renewAtMs, renewMarginMs } from '../../../src/sendpulse/token-lifetime';
import { parseRetryAfter } from '../../../src/sendpulse/sendpulse-client';

describe('token lifetime', () => {
  it('renews an hour-long token 5 minutes before it expires (10 % would be 6, capped at 5)', () => {
    expect(renewMarginMs(3_600_000)).toBe(300_000);
    expect(renewAtMs(1_000, 3_600_000)).toBe(1_000 + 3_300_000);
  });

  it('renews short-lived tokens 10 % before they expire, so they never lapse between polls', () => {
    expect(renewMarginMs(3_000)).toBe(300);
    expect(renewAtMs(0, 3_000)).toBe(2_700);
    expect(renewMarginMs(600_000)).toBe(60_000);
  });

  it('treats a zero or negative lifetime as already due', () => {
    expect(renewMarginMs(0)).toBe(0);
    expect(renewAtMs(5_000, 0)).toBe(5_000);
    expect(renewMarginMs(-10)).toBe(0);
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds and HTTP dates, and ignores what it cannot read', () => {
    expect(parseRetryAfter('30')).toBe(30_000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    const now = Date.UTC(2026, 10, 27, 12, 0, 0);
    expect(parseRetryAfter('Fri, 27 Nov 2026 12:00:45 GMT', now)).toBe(45_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
