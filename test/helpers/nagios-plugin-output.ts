/**
 * A strict reader of monitoring plugin output, written from the monitoring-plugins development
 * guidelines (https://www.monitoring-plugins.org/doc/guidelines.html: "Plugin Output", "Performance
 * data", "Threshold and ranges") and the Monitoring::Plugin convention `SERVICE STATUS - text`. It
 * throws, naming the rule, on anything a monitoring server would misread.
 */

/** A plugin state. */
export type State = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';
const STATES: State[] = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'];
/** The exit code each state must come with. */
export const STATE_CODES: Record<State, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

/** A threshold range `[@]start:end`: alert outside [start, end], or inside it with `@`. */
export interface Range {
  start: number;
  end: number;
  inside: boolean;
}

/** One performance data item. */
export interface PerfItem {
  label: string;
  /** null for `U` (the value could not be determined). */
  value: number | null;
  uom: string;
  warn?: Range;
  crit?: Range;
  min?: number;
  max?: number;
}

/** The parts of a plugin's output. */
export interface PluginOutput {
  service: string;
  state: State;
  /** The status line's text after `SERVICE STATE - `, before any `|`. */
  text: string;
  perfdata: PerfItem[];
  /** Lines after the first, up to a `|` that starts more perfdata. */
  longOutput: string[];
}

// The units of measurement the guidelines list.
const UOMS = ['', 's', 'ms', 'us', '%', 'B', 'KB', 'MB', 'GB', 'TB', 'c'];
const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)$/;

function num(text: string, what: string): number {
  if (!NUMBER.test(text)) throw new Error(`${what}: ${JSON.stringify(text)} is not a number in the C locale`);
  return Number(text);
}

/** Parses a threshold range; `10` is {0..10}, `10:` is {10..inf}, `~:10` is {-inf..10}, `@` inverts. */
export function parseRange(text: string, what: string): Range {
  const m = /^(@?)(?:(~|[^:]*):)?([^:]*)$/.exec(text);
  if (!m) throw new Error(`${what}: ${JSON.stringify(text)} is not a range`);
  const [, at, startText, endText] = m;
  const start = startText === undefined || startText === '' ? 0 : startText === '~' ? -Infinity : num(startText, what);
  const end = endText === '' ? (startText === undefined ? NaN : Infinity) : num(endText, what);
  if (Number.isNaN(end)) throw new Error(`${what}: ${JSON.stringify(text)} has neither start nor end`);
  if (start > end) throw new Error(`${what}: ${JSON.stringify(text)}: start is above end`);
  return { start, end, inside: at === '@' };
}

/** True when `value` raises an alert against `range`. */
export function alerts(range: Range, value: number): boolean {
  const within = value >= range.start && value <= range.end;
  return range.inside ? within : !within;
}

/** Splits perfdata on spaces outside single quotes. */
function perfTokens(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      // '' inside a quoted label is a literal quote
      if (quoted && text[i + 1] === "'") { cur += "''"; i++; continue; }
      quoted = !quoted;
      cur += c;
    } else if (c === ' ' && !quoted) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quoted) throw new Error(`perfdata: unbalanced quote in ${JSON.stringify(text)}`);
  if (cur) out.push(cur);
  return out;
}

/** Parses one `'label'=value[UOM];[warn];[crit];[min];[max]` item. */
export function parsePerfItem(token: string): PerfItem {
  const m = /^('(?:[^']|'')+'|[^'=\s]+)=(.*)$/.exec(token);
  if (!m) throw new Error(`perfdata: ${JSON.stringify(token)} is not label=value`);
  const label = m[1].startsWith("'") ? m[1].slice(1, -1).replace(/''/g, "'") : m[1];
  if (label.includes('=')) throw new Error(`perfdata: label ${JSON.stringify(label)} contains =`);
  const fields = m[2].split(';');
  if (fields.length > 5) throw new Error(`perfdata: ${JSON.stringify(token)} has more than 5 fields`);
  const [valueUom, warn, crit, min, max] = fields;
  const v = /^(U|-?(?:\d+(?:\.\d*)?|\.\d+))([^\d;]*)$/.exec(valueUom);
  if (!v) throw new Error(`perfdata: ${JSON.stringify(valueUom)} of ${label} is not a value with an optional unit`);
  if (!UOMS.includes(v[2])) throw new Error(`perfdata: unit ${JSON.stringify(v[2])} of ${label} is not one of ${UOMS.join(' ')}`);
  const item: PerfItem = { label, value: v[1] === 'U' ? null : Number(v[1]), uom: v[2] };
  if (warn) item.warn = parseRange(warn, `${label} warn`);
  if (crit) item.crit = parseRange(crit, `${label} crit`);
  if (min) item.min = num(min, `${label} min`);
  if (max) item.max = num(max, `${label} max`);
  return item;
}

/**
 * Reads a plugin's stdout and exit code: the first line is `SERVICE STATE - text [| perfdata]` with
 * the state matching the exit code; later lines are long output, where a `|` starts more perfdata
 * that runs to the end.
 */
export function parsePluginOutput(stdout: string, exitCode: number): PluginOutput {
  const lines = stdout.replace(/\n$/, '').split('\n');
  if (lines.length === 0 || lines[0].trim() === '') throw new Error('no status line: the first line of stdout is empty');
  const [first, ...rest] = lines;
  const bar = first.indexOf('|');
  const status = bar < 0 ? first : first.slice(0, bar);
  const head = /^(\S+) (OK|WARNING|CRITICAL|UNKNOWN) - (\S.*?)\s*$/.exec(status);
  if (!head) throw new Error(`the status line is not "SERVICE STATE - text": ${JSON.stringify(first.slice(0, 120))}`);
  const state = head[2] as State;
  if (!STATES.includes(state) || STATE_CODES[state] !== exitCode) throw new Error(`state ${state} came with exit code ${exitCode}`);
  const perfText = [bar < 0 ? '' : first.slice(bar + 1)];
  const longOutput: string[] = [];
  let inPerf = false;
  for (const line of rest) {
    if (inPerf) { perfText.push(line); continue; }
    const b = line.indexOf('|');
    if (b < 0) { longOutput.push(line); continue; }
    longOutput.push(line.slice(0, b));
    perfText.push(line.slice(b + 1));
    inPerf = true;
  }
  const perfdata = perfTokens(perfText.join(' ').trim()).map(parsePerfItem);
  return { service: head[1], state, text: head[3], perfdata, longOutput };
}
