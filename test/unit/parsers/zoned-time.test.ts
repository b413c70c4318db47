import { ConfigError, InvalidResponseError } from '../../../src/errors';
import { balanceEndpoint } from '../../../src/sendpulse/endpoints/balance';

const parseBalance = (body: unknown, timeZone: string) => balanceEndpoint.parse(body, { timeZone });
import { parseZonedDateTime } from '../../../src/sendpulse/zoned-time';

/** The instant of an ISO-8601 UTC string, in Unix seconds: the expected values below are written this way to be checkable by eye. */
const utc = (iso: string): number => Date.parse(iso) / 1000;

describe('tariff end dates are read in the account zone', () => {
  it.each([
    // [wall time from SendPulse, zone, the instant it means]
    ['2019-04-25 08:03:02', 'UTC', '2019-04-25T08:03:02Z'],
    ['2019-04-25', 'UTC', '2019-04-25T00:00:00Z'],
    // Auckland: NZST (+12) in April 2019 after DST ended on the 7th; NZDT (+13) in late November.
    ['2019-04-25 08:03:02', 'Pacific/Auckland', '2019-04-24T20:03:02Z'],
    ['2018-11-30', 'Pacific/Auckland', '2018-11-29T11:00:00Z'],
    // Kyiv: EET (+2) in winter, EEST (+3) in summer.
    ['2024-01-15 12:00:00', 'Europe/Kyiv', '2024-01-15T10:00:00Z'],
    ['2024-07-15', 'Europe/Kyiv', '2024-07-14T21:00:00Z'],
    // West of Greenwich and with a half-hour offset.
    ['2024-07-04 18:30:00', 'America/New_York', '2024-07-04T22:30:00Z'],
    ['2024-01-01', 'America/St_Johns', '2024-01-01T03:30:00Z'],
    ['2024-01-01', 'Asia/Kathmandu', '2023-12-31T18:15:00Z'],
  ])('%s in %s is %s', (wall, zone, iso) => {
    expect(parseZonedDateTime(wall, zone, 'x')).toBe(utc(iso));
  });

  it('uses the right offset on each side of a DST change (Europe/Kyiv, spring 2024)', () => {
    // Clocks went from 03:00 EET to 04:00 EEST on 2024-03-31.
    expect(parseZonedDateTime('2024-03-31 02:59:59', 'Europe/Kyiv', 'x')).toBe(utc('2024-03-31T00:59:59Z'));
    expect(parseZonedDateTime('2024-03-31 04:00:00', 'Europe/Kyiv', 'x')).toBe(utc('2024-03-31T01:00:00Z'));
    expect(parseZonedDateTime('2024-03-30', 'Europe/Kyiv', 'x')).toBe(utc('2024-03-29T22:00:00Z'));
    expect(parseZonedDateTime('2024-04-01', 'Europe/Kyiv', 'x')).toBe(utc('2024-03-31T21:00:00Z'));
  });

  it('uses the right offset on each side of a DST change (Pacific/Auckland, autumn 2024)', () => {
    // Clocks went from 03:00 NZDT (+13) back to 02:00 NZST (+12) on 2024-04-07.
    expect(parseZonedDateTime('2024-04-06 12:00:00', 'Pacific/Auckland', 'x')).toBe(utc('2024-04-05T23:00:00Z'));
    expect(parseZonedDateTime('2024-04-08 12:00:00', 'Pacific/Auckland', 'x')).toBe(utc('2024-04-08T00:00:00Z'));
  });

  it('moves a time that falls in a spring-forward gap past the gap, by as much as it was into it', () => {
    // 03:30 never happened in Kyiv on 2024-03-31; 04:30 EEST is what a clock read 30 minutes into the gap.
    expect(parseZonedDateTime('2024-03-31 03:30:00', 'Europe/Kyiv', 'x')).toBe(utc('2024-03-31T01:30:00Z'));
    // 02:30 never happened in Auckland on 2024-09-29 (02:00 NZST -> 03:00 NZDT).
    expect(parseZonedDateTime('2024-09-29 02:30:00', 'Pacific/Auckland', 'x')).toBe(utc('2024-09-28T14:30:00Z'));
  });

  it('reads a time that happened twice (autumn overlap) as the earlier one', () => {
    // 03:30 happened in EEST (00:30Z) and again in EET (01:30Z) in Kyiv on 2024-10-27.
    expect(parseZonedDateTime('2024-10-27 03:30:00', 'Europe/Kyiv', 'x')).toBe(utc('2024-10-27T00:30:00Z'));
    // 02:30 happened in NZDT (13:30Z) and again in NZST (14:30Z) in Auckland on 2024-04-07.
    expect(parseZonedDateTime('2024-04-07 02:30:00', 'Pacific/Auckland', 'x')).toBe(utc('2024-04-06T13:30:00Z'));
  });

  it('reads dates far from today: leap days, years before 100 and the last second of 9999', () => {
    expect(parseZonedDateTime('2024-02-29', 'UTC', 'x')).toBe(utc('2024-02-29T00:00:00Z'));
    expect(parseZonedDateTime('0050-01-01', 'UTC', 'x')).toBe(-60589296000);
    expect(parseZonedDateTime('9999-12-31 23:59:59', 'Pacific/Kiritimati', 'x')).toBe(utc('9999-12-31T09:59:59Z'));
  });

  it('gives the whole balance reading in the account zone', () => {
    const body = {
      email: { finished_time: '2019-04-25 08:03:02' },
      smtp: { end_date: '2018-11-21 15:05:39' },
      push: { end_date: '2018-11-30' },
    };
    const reading = parseBalance(body, 'Pacific/Auckland');
    expect(reading.values['email.finished_time']).toBe(utc('2019-04-24T20:03:02Z'));
    expect(reading.values['smtp.end_date']).toBe(utc('2018-11-21T02:05:39Z'));
    expect(reading.values['push.end_date']).toBe(utc('2018-11-29T11:00:00Z'));
  });
});

describe('dates that do not exist or are not dates', () => {
  it.each([
    '2019-02-29',
    '2019-02-30 10:00:00',
    '1900-02-29',
    '2019-13-01',
    '2019-04-31',
    '2019-04-25 24:00:00',
    '2019-04-25 23:60:00',
    '2019-04-25 23:59:60',
    '0000-00-00 00:00:00',
    '2019-4-25',
    '2019-04-25T08:03:02',
    '2019-04-25 08:03',
    '2019-04-25 08:03:02.5',
    ' 2019-04-25',
    'soon',
    '',
  ])('%j is an invalid response naming the field', (s) => {
    expect(() => parseZonedDateTime(s, 'Europe/Kyiv', 'smtp.end_date')).toThrow(InvalidResponseError);
    expect(() => parseZonedDateTime(s, 'Europe/Kyiv', 'smtp.end_date')).toThrow(/^balance: invalid response: smtp\.end_date: /);
  });

  it("treats SendPulse's zero date and an empty string as a tariff without an end in a balance answer", () => {
    const reading = parseBalance({ smtp: { end_date: '0000-00-00 00:00:00' }, push: { end_date: '0000-00-00' }, email: { finished_time: '' } }, 'UTC');
    expect(reading.values['smtp.end_date']).toBeNull();
    expect(reading.values['push.end_date']).toBeNull();
    expect(reading.values['email.finished_time']).toBeNull();
    expect(reading.unreadable).toEqual([]);
  });

  it('makes a date that is not a string unreadable, naming the field and not the value', () => {
    expect(parseBalance({ smtp: { end_date: 1542812739 } }, 'UTC').unreadable).toEqual([{ path: 'smtp.end_date', problem: 'expected a date string, got a number' }]);
  });

  it('quotes at most 80 characters of a bad date', () => {
    const err = (() => {
      try {
        parseZonedDateTime('x'.repeat(500), 'UTC', 'email.finished_time');
      } catch (e) {
        return e as Error;
      }
      throw new Error('no error');
    })();
    expect(err.message.length).toBeLessThan(200);
  });

  it('reports an unknown zone as a configuration problem, not as a bad answer', () => {
    expect(() => parseZonedDateTime('2019-04-25', 'Mars/Olympus_Mons', 'x')).toThrow(ConfigError);
    expect(() => parseZonedDateTime('2019-04-25', 'Mars/Olympus_Mons', 'x')).toThrow('timezone: "Mars/Olympus_Mons" is not an IANA time zone');
  });
});
