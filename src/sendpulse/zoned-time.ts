import { ConfigError, InvalidResponseError } from '../errors';

/**
 * SendPulse sends tariff end dates as zone-less wall-clock times ("2019-04-25 08:03:02" or
 * "2019-04-25"). They are read in the account's configured IANA zone with Intl only: Node ships the
 * full ICU tz database, so a date library would add nothing but weight.
 */

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/;
const DAY_MS = 86_400_000;

// One formatter per zone: constructing Intl.DateTimeFormat is far costlier than formatting with it.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let fmt = formatters.get(timeZone);
  if (fmt === undefined) {
    try {
      fmt = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        era: 'short',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      // The config loader validates zones; this only fires if a caller skipped it.
      throw new ConfigError([`timezone: "${timeZone.slice(0, 80)}" is not an IANA time zone`]);
    }
    formatters.set(timeZone, fmt);
  }
  return fmt;
}

/** Milliseconds since the epoch for a wall-clock time read as UTC (Date.UTC maps years 0-99 to 19xx, hence setUTCFullYear). */
function wallToUtcMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
  date.setUTCFullYear(y);
  return date.getTime();
}

/** The zone's offset from UTC, in ms, at instant `ms` (positive east of Greenwich). */
function offsetAt(fmt: Intl.DateTimeFormat, ms: number): number {
  const parts: Record<string, string> = {};
  for (const p of fmt.formatToParts(new Date(ms))) parts[p.type] = p.value;
  let year = Number(parts.year);
  if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
  const wall = wallToUtcMs(year, Number(parts.month), Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  // Intl works in whole seconds: drop the sub-second part of `ms` so the offset is exact.
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * Returns the Unix seconds of a SendPulse "YYYY-MM-DD HH:MM:SS" or "YYYY-MM-DD" (midnight) read in the
 * IANA zone `timeZone`; throws InvalidResponseError (endpoint `balance`, the only one with dates)
 * naming `path` for anything else, including
 * impossible dates ("2019-02-30") and SendPulse's "0000-00-00" (callers that accept it as "never"
 * check for it first).
 */
export function parseZonedDateTime(s: string, timeZone: string, path: string): number {
  const m = DATE_TIME.exec(s);
  const endpoint = 'balance';
  const bad = (): never => {
    throw new InvalidResponseError(endpoint, `${path}: ${JSON.stringify(s.slice(0, 80))} is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)`);
  };
  if (m === null) return bad();
  const [y, mo, d, h, mi, sec] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return bad();
  const wall = wallToUtcMs(y, mo, d, h, mi, sec);
  // Date rolls 2019-02-30 over to March 2nd: a changed day means the date does not exist.
  if (new Date(wall).getUTCDate() !== d) return bad();
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return wall / 1000;

  const fmt = formatterFor(timeZone);
  // The offsets a day either side cover any transition near this wall time (zones never change
  // twice within two days). Each offset that maps the wall time back onto itself is a reading.
  const before = offsetAt(fmt, wall - DAY_MS);
  const after = offsetAt(fmt, wall + DAY_MS);
  const fits = [before, after].filter((o) => offsetAt(fmt, wall - o) === o).map((o) => wall - o);
  if (fits.length > 0) {
    // Autumn overlap (two readings): the earlier instant, as Temporal's "compatible" and cron do.
    return Math.min(...fits) / 1000;
  }
  // Spring gap (02:30 does not exist): keep the offset from before the gap, which lands the time
  // as far past the gap as it was into it (again Temporal's "compatible").
  return (wall - before) / 1000;
}
