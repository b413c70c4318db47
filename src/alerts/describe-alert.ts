import { formatTrafficBytes } from '../sendpulse/fields/traffic-bytes';
import type { Severity } from './alert-types';
import { humanDuration } from './human-duration';
import { ruleNamed, type Observation } from './rules';

/** The human side of an observation: texts for the subject and the body. */
export interface AlertDescription {
  /** "balance 1.50 USD is below 2 USD" while firing, "balance 50.00 USD" when resolved. */
  headline: string;
  valueText: string;
  thresholdText: string;
  /** The threshold of the given severity (the warning one when ok); null for flags. */
  threshold: number | null;
}

/** "3d 4h", "20h 5m", "16m", "45s": the two largest units of a duration in ms. */
export const formatDuration = humanDuration;

function trimNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(4)));
}

function valueText(o: Observation, v: number): string {
  const own = ruleNamed(o.rule)?.valueText;
  if (own) return own(v);
  switch (o.unit) {
    case 'money': return `${v.toFixed(2)}${o.currency ? ` ${o.currency}` : ''}`;
    case 'count': return String(Math.round(v));
    case 'bytes': return formatTrafficBytes(v);
    case 'ratio': return `${(v * 100).toFixed(1)} %`;
    case 'flag': return v >= 1 ? 'failing' : 'ok';
    case 'duration': return humanDuration(v);
  }
}

function thresholdText(o: Observation, t: number): string {
  switch (o.unit) {
    case 'money': return `${trimNumber(t)}${o.currency ? ` ${o.currency}` : ''}`;
    case 'count': return trimNumber(Math.round(t));
    case 'bytes': return formatTrafficBytes(t);
    case 'ratio': return `${trimNumber(t * 100)} %`;
    case 'flag': return 'failing';
    case 'duration': return Number.isFinite(t) ? humanDuration(t) : 'never';
  }
}

/** Texts for an observation at a severity: the firing sentence, or the "back to normal" one when ok. */
export function describeAlert(o: Observation, severity: Severity): AlertDescription {
  const level = severity === 'critical' ? 'critical' : 'warning';
  const threshold = o.unit === 'flag' ? null : o.thresholds[level];
  const vt = o.value === null ? 'unknown' : valueText(o, o.value);
  const note = o.levelNotes?.[level];
  const tt = threshold === null || Number.isNaN(threshold) ? '' : `${thresholdText(o, threshold)}${note ? ` (${note})` : ''}`;
  const rule = ruleNamed(o.rule);
  const headline = rule ? rule.headline(o, severity, vt, tt) : `${o.rule} ${o.service} ${vt}`;
  return { headline, valueText: vt, thresholdText: tt, threshold };
}
