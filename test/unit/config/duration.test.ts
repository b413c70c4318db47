import fc from 'fast-check';
import { formatDuration, parseDuration } from '../../../src/config/duration';
import { ConfigError } from '../../../src/errors';

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    [45, 45_000],
    ['45', 45_000],
  ] as const)('reads %p as %d ms', (input, ms) => {
    expect(parseDuration(input, 'x')).toBe(ms);
  });

  it.each(['5x', '', 'm', '5 m', '-5m', '5m3', 'soon'])('rejects %p naming the key path and the accepted forms', (input) => {
    expect(() => parseDuration(input, 'accounts[1].intervals.balance')).toThrow(ConfigError);
    try {
      parseDuration(input, 'accounts[1].intervals.balance');
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([`accounts[1].intervals.balance: ${JSON.stringify(input)} is not a duration (use 30s, 5m, 1h, 7d)`]);
    }
  });

  it.each([
    [300_000, '5m'],
    [3_600_000, '1h'],
    [604_800_000, '7d'],
    [90_000, '90s'],
    [5_400_000, '90m'],
    [1500, '1500ms'],
    [0, '0s'],
  ])('writes %d ms as %p (the shortest exact unit)', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('reads back whatever it writes', () => {
    fc.assert(fc.property(fc.nat({ max: 10 * 86_400_000 }), (ms) => parseDuration(formatDuration(ms), 'x') === ms));
  });
});
