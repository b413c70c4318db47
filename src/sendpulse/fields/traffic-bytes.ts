/**
 * SendPulse's SMTP traffic figures (`smtp.traffic_limit`, `smtp.traffic_limit_left`) are strings such
 * as "1000 Mb" and "12.50 Mb" (seen on real accounts; not in the API reference's example). SendPulse
 * does not say whether its "Mb" is 10^6 or 2^20 bytes. We read every unit as binary (1 Kb = 1024 b,
 * 1 Mb = 1024 Kb, ...), the way most hosting and mail panels count, and use the same function for
 * thresholds in the config (`smtpTraffic: { warning: 500Mb }`), so that a value and a threshold
 * written alike always compare alike, whichever SendPulse meant.
 */

/** Bytes per unit, by lower-cased unit. */
const UNIT_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };
const TRAFFIC = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kmgt]?b)\s*$/i;

/**
 * Returns the number of bytes in a traffic string: a decimal number and a unit (`b`, `Kb`, `Mb`,
 * `Gb`, `Tb`, any case, space optional), binary multiples, rounded to a whole byte; null when the
 * text is not of that form (a bare number has no unit and is not guessed at).
 */
export function parseTrafficBytes(text: string): number | null {
  const m = TRAFFIC.exec(text);
  if (m === null) return null;
  const bytes = Math.round(Number(m[1]) * UNIT_BYTES[m[2].toLowerCase()]);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** "1.5 Gb", "500 Mb", "12.5 Mb", "300 b": bytes written back in the largest unit that keeps the number at 1 or more. */
export function formatTrafficBytes(bytes: number): string {
  const units = ['Tb', 'Gb', 'Mb', 'Kb'] as const;
  for (const u of units) {
    const size = UNIT_BYTES[u.toLowerCase()];
    if (Math.abs(bytes) >= size) return `${Number((bytes / size).toFixed(2))} ${u}`;
  }
  return `${bytes} b`;
}
