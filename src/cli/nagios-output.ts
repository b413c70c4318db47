/**
 * Output of a monitoring plugin, after the monitoring-plugins development guidelines
 * (https://www.monitoring-plugins.org/doc/guidelines.html, "Plugin Output" and "Performance data"),
 * which Nagios, Icinga, Naemon and Checkmk read: one status line `SERVICE STATUS - text | perfdata`,
 * then long output lines; the exit code carries the state.
 */

/** The service name that starts the status line of `check`. */
export const PLUGIN_SERVICE = 'SENDPULSE';

/** A plugin state, from best to worst by exit code except UNKNOWN. */
export type PluginStatus = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

/** The exit code of each state. */
export const EXIT_CODES: Record<PluginStatus, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

// CRITICAL > WARNING > UNKNOWN > OK: a firing rule says more than a failed poll of another account.
const RANK: Record<PluginStatus, number> = { OK: 0, UNKNOWN: 1, WARNING: 2, CRITICAL: 3 };

/** The worse of two states (CRITICAL, then WARNING, then UNKNOWN, then OK). */
export function worseStatus(a: PluginStatus, b: PluginStatus): PluginStatus {
  return RANK[b] > RANK[a] ? b : a;
}

/** One performance data item: `'label'=value[UOM];[warn];[crit];[min];[max]`. */
export interface PerfDatum {
  /** No `'` or `=` (the guidelines forbid them); quoted on output. */
  label: string;
  value: number;
  /** A unit the guidelines list (`s`, `%`, `B`, `c`, ...); omitted for plain numbers such as money. */
  uom?: string;
  /** Ranges in the threshold format (`10:` alerts below 10, `@9000:` at or above 9000). */
  warn?: string;
  crit?: string;
  min?: number;
  max?: number;
}

/** The range that alerts when a value is below `n` (outside {n .. ∞}). */
export function belowRange(n: number): string {
  return `${plain(n)}:`;
}

/** The range that alerts when a value is at or above `n` (inside {n .. ∞}). */
export function atOrAboveRange(n: number): string {
  return `@${plain(n)}:`;
}

/** A number in the C locale without exponent, at most 6 decimals. */
function plain(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(6)));
}

/** One perfdata item as text, trailing empty fields dropped. */
export function formatPerfDatum(p: PerfDatum): string {
  const fields = [p.warn ?? '', p.crit ?? '', p.min === undefined ? '' : plain(p.min), p.max === undefined ? '' : plain(p.max)];
  while (fields.length > 0 && fields[fields.length - 1] === '') fields.pop();
  return [`'${p.label.replace(/['=]/g, '_')}'=${p.value.toFixed(Number.isInteger(p.value) ? 0 : 2)}${p.uom ?? ''}`, ...fields].join(';');
}

// A `|` in any text line would start perfdata there; a line break in the status text would end it.
function clean(text: string): string {
  return text.replace(/\|/g, '/').replace(/[\r\n]+/g, ' ');
}

/**
 * The whole plugin output: `<SERVICE> <STATUS> - <text> | <perfdata>` on the first line (the one
 * Nagios shows and alerts with), then `longOutput` lines (shown in the service details).
 */
export function formatPluginOutput(service: string, status: PluginStatus, text: string, perf: readonly PerfDatum[], longOutput: readonly string[]): string {
  const head = `${service} ${status} - ${clean(text)}`;
  const first = perf.length > 0 ? `${head} | ${perf.map(formatPerfDatum).join(' ')}` : head;
  return [first, ...longOutput.map((l) => l.replace(/\|/g, '/'))].join('\n');
}
