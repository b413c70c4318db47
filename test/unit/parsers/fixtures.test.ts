import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { InvalidResponseError } from '../../../src/errors';
import { decodeJsonBody } from '../../../src/sendpulse/decode-body';
import { parseBalance } from '../../../src/sendpulse/parse-balance';
import { parseTeam } from '../../../src/sendpulse/parse-team';
import { parseUserInfo } from '../../../src/sendpulse/parse-user-info';
import type { BalanceReading, ReadingByEndpoint } from '../../../src/sendpulse/readings';

/**
 * Every recorded body under test/fixtures/<endpoint>/ goes through the same path as a live answer
 * (decodeJsonBody, then the endpoint's parser, dates in UTC) and must give exactly the reading or the
 * error listed here. A fixture without an entry fails the suite, so none is left unchecked.
 */

type Expected<E extends keyof ReadingByEndpoint> = { reading: ReadingByEndpoint[E] } | { error: string };

const FIXTURES = join(__dirname, '../../fixtures');

const PARSERS: { [E in keyof ReadingByEndpoint]: (body: unknown) => ReadingByEndpoint[E] } = {
  user_info: parseUserInfo,
  team: parseTeam,
  balance: (body) => parseBalance(body, 'UTC'),
};

const NO_SECTIONS: BalanceReading = { balance: null, email: null, smtp: null, push: null };
const REFERENCE_BALANCE: BalanceReading = {
  balance: { main: 9.36, bonus: 5, currency: 'USD' },
  // 2019-04-25 08:03:02 UTC
  email: { tariffName: 'Pay as you go 10 000', endTime: 1556179382, autoRenew: null, emailsLeft: 9914, maximumSubscribers: 10000, currentSubscribers: 0 },
  // 2018-11-21 15:05:39 UTC
  smtp: { tariffName: 'SMTP Free', endTime: 1542812739, autoRenew: true },
  // 2018-11-30 00:00:00 UTC
  push: { tariffName: 'White Label', endTime: 1543536000, autoRenew: true },
};

const EXPECTED: { [E in keyof ReadingByEndpoint]: Record<string, Expected<E>> } = {
  balance: {
    'reference.json': { reading: REFERENCE_BALANCE },
    'numbers-as-numbers.json': {
      reading: { ...REFERENCE_BALANCE, push: { tariffName: 'White Label', endTime: 1543536000, autoRenew: false } },
    },
    'counts-as-strings.json': {
      reading: {
        ...NO_SECTIONS,
        balance: { main: 0, bonus: 0, currency: 'UAH' },
        // 2025-01-31 23:59:59 UTC
        email: { tariffName: 'Standard 500', endTime: 1738367999, autoRenew: true, emailsLeft: 14500, maximumSubscribers: 500, currentSubscribers: 487 },
      },
    },
    'sections-missing.json': { reading: { ...NO_SECTIONS, balance: { main: 120.5, bonus: 0, currency: 'EUR' } } },
    'sections-null.json': { reading: NO_SECTIONS },
    'empty-object.json': { reading: NO_SECTIONS },
    'fields-missing.json': {
      reading: {
        balance: { main: null, bonus: null, currency: 'USD' },
        email: { tariffName: null, endTime: null, autoRenew: null, emailsLeft: 15000, maximumSubscribers: null, currentSubscribers: null },
        smtp: { tariffName: null, endTime: null, autoRenew: null },
        push: { tariffName: 'Free', endTime: null, autoRenew: null },
      },
    },
    'fields-null.json': {
      reading: {
        balance: { main: null, bonus: null, currency: null },
        email: { tariffName: null, endTime: null, autoRenew: null, emailsLeft: null, maximumSubscribers: null, currentSubscribers: null },
        smtp: { tariffName: null, endTime: null, autoRenew: null },
        push: { tariffName: null, endTime: null, autoRenew: null },
      },
    },
    'date-only.json': {
      reading: {
        ...NO_SECTIONS,
        // 2026-03-01 and 2026-02-28 at midnight UTC
        email: { tariffName: 'Pro 2 500', endTime: 1772323200, autoRenew: null, emailsLeft: 30000, maximumSubscribers: 2500, currentSubscribers: 2410 },
        smtp: { tariffName: 'SMTP 100 000', endTime: 1772236800, autoRenew: false },
      },
    },
    'zero-dates.json': {
      reading: {
        ...NO_SECTIONS,
        email: { tariffName: 'Free', endTime: null, autoRenew: null, emailsLeft: 15000, maximumSubscribers: 500, currentSubscribers: 12 },
        smtp: { tariffName: 'SMTP Free', endTime: null, autoRenew: false },
      },
    },
    'extra-fields.json': {
      reading: { ...NO_SECTIONS, balance: REFERENCE_BALANCE.balance, email: REFERENCE_BALANCE.email },
    },
    'negative-balance.json': { reading: { ...NO_SECTIONS, balance: { main: -1.5, bonus: 0, currency: 'USD' } } },
    'invalid-main-not-a-number.json': { error: 'balance: invalid response: balance.main: "n/a" is not a number' },
    'invalid-main-empty-string.json': { error: 'balance: invalid response: balance.main: an empty string is not a number' },
    'invalid-main-too-large.json': { error: 'balance: invalid response: balance.main: the number is out of range' },
    'invalid-email-is-a-list.json': { error: 'balance: invalid response: email: expected an object, got a list' },
    'invalid-emails-left-negative.json': { error: 'balance: invalid response: email.emails_left: -5 is negative' },
    'invalid-emails-left-fractional.json': { error: 'balance: invalid response: email.emails_left: "12.5" is not a whole number' },
    'invalid-date-impossible.json': {
      error: 'balance: invalid response: smtp.end_date: "2019-02-30 10:00:00" is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)',
    },
    'invalid-date-word.json': { error: 'balance: invalid response: push.end_date: "soon" is not a date (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)' },
    'invalid-auto-renew.json': { error: 'balance: invalid response: push.auto_renew: "yes" is not a boolean (true/false, 1/0)' },
    'invalid-body-is-a-list.json': { error: 'balance: invalid response: body: expected an object, got a list' },
    'garbage-html-page.html': { error: 'balance: invalid response: got an HTML page (text/html, title "502 Bad Gateway") instead of JSON' },
    'garbage-truncated.txt': { error: 'balance: invalid response: truncated JSON at position 180' },
    'garbage-empty.txt': { error: 'balance: invalid response: empty body (application/json) instead of JSON' },
    'garbage-plain-text.txt': {
      error:
        'balance: invalid response: not JSON (application/json): starts with "upstream connect error or disconnect/reset before headers. reset reason: connect…"',
    },
  },
  user_info: {
    'reference.json': { reading: { id: 7043663, currency: 'USD', country: 'NZ', timeZone: '12', locale: 'Pacific/Auckland' } },
    'phone-as-number.json': { reading: { id: 7043663, currency: 'USD', country: 'NZ', timeZone: '12', locale: 'Pacific/Auckland' } },
    'minimal.json': { reading: { id: 7043663, currency: null, country: null, timeZone: null, locale: null } },
    'nulls.json': { reading: { id: 7043663, currency: null, country: null, timeZone: null, locale: null } },
    'extra-fields.json': { reading: { id: 7043663, currency: 'EUR', country: 'DE', timeZone: '1', locale: 'Europe/Berlin' } },
    'invalid-id-missing.json': { error: 'user_info: invalid response: id: missing' },
    'invalid-id-not-a-number.json': { error: 'user_info: invalid response: id: "frodo" is not an id (a positive whole number)' },
    'invalid-phone-is-an-object.json': { error: 'user_info: invalid response: phone: expected a string or a number, got an object' },
    'invalid-currency-is-a-number.json': { error: 'user_info: invalid response: currency: expected a string, got a number' },
    'invalid-body-is-a-list.json': { error: 'user_info: invalid response: body: expected an object, got a list' },
    'garbage-html-page.html': {
      error: 'user_info: invalid response: got an HTML page (text/html, title "Service Temporarily Unavailable") instead of JSON',
    },
    'garbage-truncated.txt': { error: 'user_info: invalid response: truncated JSON at position 37' },
  },
  team: {
    'reference.json': { reading: { active: 3, inactive: 0 } },
    'empty-list.json': { reading: { active: 0, inactive: 0 } },
    // true, "1", missing and null count as active; false, 0 and "0" as inactive.
    'mixed-activity.json': { reading: { active: 4, inactive: 3 } },
    'ids-as-strings.json': { reading: { active: 1, inactive: 0 } },
    'extra-fields.json': { reading: { active: 1, inactive: 0 } },
    'invalid-body-is-an-object.json': { error: 'team: invalid response: body: expected a list of team members, got an object' },
    'invalid-member-is-a-list.json': { error: 'team: invalid response: [0]: expected an object, got a list' },
    'invalid-member-is-null.json': { error: 'team: invalid response: [1]: expected an object, got null' },
    'invalid-is-active.json': { error: 'team: invalid response: [0].is_active: "maybe" is not a boolean (true/false, 1/0)' },
    'invalid-member-id-missing.json': { error: 'team: invalid response: [0].id: missing' },
    'garbage-truncated.txt': { error: 'team: invalid response: truncated JSON at position 400' },
    'garbage-plain-text.txt': { error: 'team: invalid response: not JSON (application/json): starts with "Internal Server Error"' },
  },
};

/** Decodes and parses one fixture the way a poll does; returns the reading or the thrown error. */
function run<E extends keyof ReadingByEndpoint>(endpoint: E, file: string): ReadingByEndpoint[E] | InvalidResponseError {
  const text = readFileSync(join(FIXTURES, endpoint, file), 'utf8');
  const contentType = extname(file) === '.html' ? 'text/html; charset=utf-8' : 'application/json';
  try {
    return PARSERS[endpoint](decodeJsonBody(endpoint, 200, contentType, text));
  } catch (err) {
    if (err instanceof InvalidResponseError) return err;
    throw err;
  }
}

describe.each(Object.keys(EXPECTED) as (keyof ReadingByEndpoint)[])('fixtures of %s', (endpoint) => {
  const files = readdirSync(join(FIXTURES, endpoint)).sort();
  const table = EXPECTED[endpoint] as Record<string, Expected<typeof endpoint>>;

  it('has an expected outcome for every fixture on disk, and a fixture for every expectation', () => {
    expect(files).toEqual(Object.keys(table).sort());
  });

  it.each(files.filter((f) => f in table))('%s gives the expected reading or error', (file) => {
    const expected = table[file];
    const got = run(endpoint, file);
    if ('reading' in expected) {
      expect(got).not.toBeInstanceOf(Error);
      expect(got).toEqual(expected.reading);
    } else {
      expect(got).toBeInstanceOf(InvalidResponseError);
      const err = got as InvalidResponseError;
      expect(err.message).toBe(expected.error);
      expect(err.code).toBe('SPM_ERR_INVALID_RESPONSE');
      expect(err.endpoint).toBe(endpoint);
    }
  });
});

describe('personal data', () => {
  it('keeps no name, e-mail or phone from /user/info in the reading', () => {
    const reading = run('user_info', 'reference.json');
    const text = JSON.stringify(reading);
    for (const personal of ['Frodo', 'Baggins', 'frodo.baggins@shire.me', '380680899608', 'Hobbiton', 'avatars']) {
      expect(text).not.toContain(personal);
    }
  });

  it('never quotes a phone number or e-mail address in an error about it', () => {
    const err = run('user_info', 'invalid-phone-is-an-object.json');
    expect((err as Error).message).not.toContain('380680899608');
  });
});
