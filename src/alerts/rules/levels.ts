import type { Level } from '../../config/types';
import * as p from '../../config/value-parsers';
import type { Parsed, Parser } from '../../config/value-parsers';
import { parseTrafficBytes } from '../../sendpulse/fields/traffic-bytes';

/** The level parsers rules share: how `warning` and `critical` are written in the config. */

const PERCENT = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%\s*$/;

/** `10%` as `{ fraction: 0.1 }` (more than 0, at most 100 %); undefined when the input is not written as a percentage. */
function percent(input: unknown): Parsed<Level> | undefined {
  if (typeof input !== 'string') return undefined;
  const m = PERCENT.exec(input);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!(n > 0 && n <= 100)) return { ok: false, problem: `${p.show(input)} is not a percentage above 0 and at most 100 %` };
  return { ok: true, value: { fraction: n / 100 } };
}

/** Any number: an amount of money in the account's currency. */
export const money: Parser<Level> = p.numberIn({ what: 'a number' });

/** A number of e-mails, 0 or more. */
export const emails: Parser<Level> = p.numberIn({ min: 0, what: 'a number of e-mails (0 or more)' });

/** A number of e-mails (0 or more), or a percentage of the plan's e-mails (`10%`). */
export const emailsOrPercent: Parser<Level> = (input) =>
  percent(input) ?? p.numberIn({ min: 0, what: 'a number of e-mails (0 or more) or a percentage of the plan (10%)' })(input);

/** An amount of traffic (`500Mb`, `1.5Gb`, or a number of bytes), or a percentage of the plan's traffic (`10%`). */
export const trafficOrPercent: Parser<Level> = (input) => {
  const pc = percent(input);
  if (pc) return pc;
  if (typeof input === 'number' && Number.isFinite(input) && input >= 0) return { ok: true, value: input };
  if (typeof input === 'string') {
    const bytes = parseTrafficBytes(input);
    if (bytes !== null) return { ok: true, value: bytes };
  }
  return { ok: false, problem: `${p.show(input)} is not an amount of traffic (500Mb, 1.5Gb; 1 Mb = 1048576 bytes) or a percentage of the plan (10%)` };
};

/** A fraction from 0 to 1 (0.9 = 90 %). */
export const fraction: Parser<Level> = p.numberIn({ min: 0, max: 1, what: 'a fraction from 0 to 1 (0.9 = 90 %)' });

/** A duration (`7d`, `12h`), 0 or more. */
export const duration: Parser<Level> = p.duration(0);
