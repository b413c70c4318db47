import type { Millis } from '../config/types';

const UNITS: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];

/**
 * Compact text for an interval, largest units first: 300000 -> "5m", 5184000 -> "1h26m24s". The
 * config parser reads the same text, so a printed interval can be pasted into the config as is.
 */
export function formatInterval(ms: Millis): string {
  let left = Math.round(ms);
  if (left <= 0) return '0s';
  let out = '';
  for (const [unit, size] of UNITS) {
    const n = Math.floor(left / size);
    if (n > 0) {
      out += `${n}${unit}`;
      left -= n * size;
    }
  }
  return out;
}
