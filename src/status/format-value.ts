import { humanDuration } from '../alerts/human-duration';
import type { Level } from '../config/types';
import { count, date, decimal, flag, id, trafficBytes, type FieldValue } from '../sendpulse/fields/field-readers';
import type { FieldRow } from '../sendpulse/fields/field-row';
import { formatTrafficBytes } from '../sendpulse/fields/traffic-bytes';
import type { Unit } from '../alerts/rules';

const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const MONEY = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** "9,914": a count with thousands separators; "—" for none. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : GROUPED.format(n);
}

/** "1,234.50 USD": an amount with two decimals and its currency; "—" for none. */
export function formatMoney(n: number | null | undefined, currency: string | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return currency ? `${MONEY.format(n)} ${currency}` : MONEY.format(n);
}

/** "2026-06-01 12:00" in `timeZone` (default UTC), with the zone's name unless UTC. */
export function formatDateTime(ms: number, timeZone = 'UTC'): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}${timeZone === 'UTC' ? ' UTC' : ` ${timeZone}`}`;
}

/** "3 d", "1.5 d", "5 h": days left (or ago), for tariff ends and runways. */
export function formatDays(days: number): string {
  const abs = Math.abs(days);
  if (abs >= 10) return `${Math.round(abs)} d`;
  if (abs >= 1) return `${Number(abs.toFixed(1))} d`;
  return humanDuration(abs * 86_400_000);
}

/** "5m ago", "in 2h": a time relative to `now`. */
export function formatAgo(ms: number, now: number): string {
  const d = now - ms;
  if (Math.abs(d) < 1000) return 'just now';
  return d >= 0 ? `${humanDuration(d)} ago` : `in ${humanDuration(-d)}`;
}

/** A field's value for people, by its reader; `timeZone` is the account's (dates were read in it). */
export function formatFieldValue(row: FieldRow, value: FieldValue | undefined, ctx: { timeZone: string; currency: string | null }): string {
  if (value === undefined) return 'not in the answer';
  if (value === null) return row.read === date ? 'none' : '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return value;
  if (row.read === date) return formatDateTime(value * 1000, ctx.timeZone);
  if (row.read === trafficBytes) return formatTrafficBytes(value);
  if (row.read === decimal && row.path.startsWith('balance.')) return formatMoney(value, ctx.currency);
  if (row.read === id) return String(value);
  if (row.read === count || row.read === undefined) return formatCount(value);
  if (row.read === flag) return value ? 'yes' : 'no';
  return GROUPED.format(value);
}

/** A threshold level as configured, in the rule's unit ("10 USD", "7d", "500 Mb", "20 %"). */
export function formatLevel(level: Level, unit: Unit, currency: string | null): string {
  if (typeof level !== 'number') return `${Number((level.fraction * 100).toFixed(4))} %`;
  switch (unit) {
    case 'money': return currency ? `${level} ${currency}` : String(level);
    case 'duration': return humanDuration(level);
    case 'bytes': return formatTrafficBytes(level);
    case 'ratio': return `${Number((level * 100).toFixed(4))} %`;
    default: return formatCount(level);
  }
}
