import type { Thresholds } from '../config/types';
import type { Severity } from './alert-types';

/** Which side of a threshold is bad: `below` (balance, e-mails, time left) or `above` (subscriber share, staleness). */
export type Direction = 'below' | 'above';

const RANK: Record<Severity, number> = { ok: 0, warning: 1, critical: 2 };

/** 0 for ok, 1 for warning, 2 for critical. */
export function severityRank(s: Severity): number {
  return RANK[s];
}

function breaches(value: number, threshold: number, direction: Direction): boolean {
  // `below` is strict ("1.50 is below 2"), `above` includes the threshold ("at 90 % of the limit").
  return direction === 'below' ? value < threshold : value >= threshold;
}

function classify(value: number, warning: number, critical: number, direction: Direction): Severity {
  if (breaches(value, critical, direction)) return 'critical';
  if (breaches(value, warning, direction)) return 'warning';
  return 'ok';
}

/** The threshold moved `hysteresis` × |threshold| towards the good side. */
function shifted(threshold: number, hysteresis: number, direction: Direction): number {
  if (!Number.isFinite(threshold)) return threshold;
  const margin = Math.abs(threshold) * hysteresis;
  return direction === 'below' ? threshold + margin : threshold - margin;
}

/**
 * The severity a value points at, given the alert's current severity: getting worse needs only the
 * threshold, getting better needs the value past the threshold by `hysteresis` (a fraction of it), so
 * a value wobbling around a threshold does not flap.
 */
export function severityFor(value: number, t: Thresholds, direction: Direction, current: Severity, hysteresis: number): Severity {
  const raw = classify(value, t.warning, t.critical, direction);
  if (RANK[raw] >= RANK[current]) return raw;
  // Leaving a level needs the margin on every threshold at or below the current level.
  const warning = shifted(t.warning, hysteresis, direction);
  const critical = current === 'critical' ? shifted(t.critical, hysteresis, direction) : t.critical;
  return classify(value, warning, critical, direction);
}
