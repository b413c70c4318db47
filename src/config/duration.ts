import { ConfigError } from '../errors';
import type { Millis } from './types';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;
// Largest first, so formatDuration picks the shortest text that is still exact.
const UNITS_DESC: Unit[] = ['d', 'h', 'm', 's', 'ms'];
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
const PLAIN_NUMBER = /^\d+(?:\.\d+)?$/;

/** The hint every duration problem ends with. */
export const DURATION_HINT = '(use 30s, 5m, 1h, 7d)';

/** Milliseconds for `30s`, `5m`, `1h30m`, `500ms` or a plain number of seconds; undefined when it is not a duration. */
export function tryParseDuration(input: unknown): Millis | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? Math.round(input * 1000) : undefined;
  if (typeof input !== 'string') return undefined;
  const s = input.trim();
  if (s === '') return undefined;
  // A bare number arrives as a string after ${VAR} substitution; it means seconds, as in YAML.
  if (PLAIN_NUMBER.test(s)) return Math.round(Number(s) * 1000);
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const m = PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2] as Unit];
  }
  return Math.round(total);
}

/** The problem text (without key path) for a value that is not a duration. */
export function durationProblem(input: unknown): string {
  if (typeof input === 'string' || typeof input === 'number') {
    return `${JSON.stringify(input)} is not a duration ${DURATION_HINT}`;
  }
  return `must be a duration ${DURATION_HINT}`;
}

/** Milliseconds for a config duration; throws a ConfigError naming `path` when it is not one. */
export function parseDuration(s: string | number, path: string): Millis {
  const ms = tryParseDuration(s);
  if (ms === undefined) throw new ConfigError([`${path}: ${durationProblem(s)}`]);
  return ms;
}

/** The shortest exact text for a duration (300000 -> "5m", 90000 -> "90s", 1500 -> "1500ms"). */
export function formatDuration(ms: Millis): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  const whole = Math.round(ms);
  if (whole === 0) return '0s';
  for (const unit of UNITS_DESC) {
    if (whole % UNIT_MS[unit] === 0) return `${whole / UNIT_MS[unit]}${unit}`;
  }
  return `${whole}ms`;
}
