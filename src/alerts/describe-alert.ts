import type { Severity } from './alert-types';
import type { Observation } from './observe-rules';

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
export function formatDuration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  const parts: [number, string][] = [[Math.floor(s / 86400), 'd'], [Math.floor(s / 3600) % 24, 'h'], [Math.floor(s / 60) % 60, 'm'], [s % 60, 's']];
  const first = parts.findIndex(([n]) => n > 0);
  if (first < 0) return '0s';
  return parts.slice(first, first + 2).filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`).join(' ');
}

function trimNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(4)));
}

function valueText(o: Observation, v: number): string {
  switch (o.unit) {
    case 'money': return `${v.toFixed(2)}${o.currency ? ` ${o.currency}` : ''}`;
    case 'count': return String(Math.round(v));
    case 'ratio': return `${(v * 100).toFixed(1)} %`;
    case 'flag': return v >= 1 ? 'failing' : 'ok';
    case 'duration':
      if (o.rule === 'tariffExpiry') return v < 0 ? `ended ${formatDuration(v)} ago` : `ends in ${formatDuration(v)}`;
      if (o.rule === 'runway') return Number.isFinite(v) ? `runs out in ${formatDuration(v)}` : 'is not being used up';
      return formatDuration(v);
  }
}

function thresholdText(o: Observation, t: number): string {
  switch (o.unit) {
    case 'money': return `${trimNumber(t)}${o.currency ? ` ${o.currency}` : ''}`;
    case 'count': return trimNumber(t);
    case 'ratio': return `${trimNumber(t * 100)} %`;
    case 'flag': return 'failing';
    case 'duration': return Number.isFinite(t) ? formatDuration(t) : 'never';
  }
}

const RUNWAY_LABEL: Record<string, string> = { balance: 'balance', email: 'e-mail credits' };

/** Texts for an observation at a severity: the firing sentence, or the "back to normal" one when ok. */
export function describeAlert(o: Observation, severity: Severity): AlertDescription {
  const v = o.value ?? NaN;
  const threshold = o.unit === 'flag' ? null : severity === 'critical' ? o.thresholds.critical : o.thresholds.warning;
  const vt = o.value === null ? 'unknown' : valueText(o, v);
  const tt = threshold === null ? '' : thresholdText(o, threshold);
  const firing = severity !== 'ok';
  let headline: string;
  switch (o.rule) {
    case 'balance': headline = firing ? `balance ${vt} is below ${tt}` : `balance ${vt}`; break;
    case 'emailsLeft': headline = firing ? `e-mails left ${vt} is below ${tt}` : `e-mails left ${vt}`; break;
    case 'subscribers':
      headline = firing ? `subscribers at ${vt} of the limit, at or above ${tt}` : `subscribers at ${vt} of the limit`; break;
    case 'tariffExpiry':
      headline = `${o.service} tariff ${vt}${firing && v >= 0 ? `, less than ${tt}` : ''}`; break;
    case 'runway':
      headline = `${RUNWAY_LABEL[o.service] ?? o.service} ${vt} at the recent rate${firing ? `, less than ${tt}` : ''}`; break;
    case 'stale':
      headline = firing ? `no good poll of ${o.service} for ${vt}, more than ${tt}` : `polls of ${o.service} succeed again`; break;
    case 'credentials':
      headline = firing ? 'authentication with SendPulse is failing' : 'authentication with SendPulse works again'; break;
  }
  return { headline, valueText: vt, thresholdText: tt, threshold };
}
