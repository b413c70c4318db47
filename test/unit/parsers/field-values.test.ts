import { parseBalance } from '../../../src/sendpulse/parse-balance';
import { parseTeam } from '../../../src/sendpulse/parse-team';
import { parseUserInfo } from '../../../src/sendpulse/parse-user-info';

/** Single values as SendPulse may write them, each in an otherwise empty answer. */
const money = (main: unknown) => parseBalance({ balance: { main } }, 'UTC').balance?.main;
const emailsLeft = (emails_left: unknown) => parseBalance({ email: { emails_left } }, 'UTC').email?.emailsLeft;
const autoRenew = (auto_renew: unknown) => parseBalance({ smtp: { auto_renew } }, 'UTC').smtp?.autoRenew;

describe('single values', () => {
  it.each([
    ['9.36', 9.36],
    [9.36, 9.36],
    ['0.00', 0],
    ['-0.00', 0],
    ['-12.5', -12.5],
    [' 7.10 ', 7.1],
    ['100', 100],
    ['.5', 0.5],
  ])('reads the balance %j as %j', (raw, value) => {
    expect(Object.is(money(raw), value)).toBe(true);
  });

  it.each(['n/a', '', '1e3', '0x10', '1,5', '9.36 USD', 'NaN', 'Infinity', '9'.repeat(400), true, [], {}])(
    'rejects the balance %j instead of guessing a number',
    (raw) => {
      expect(() => money(raw)).toThrow(/^balance: invalid response: balance\.main: /);
    },
  );

  it.each([
    [9914, 9914],
    ['9914', 9914],
    [0, 0],
  ])('reads e-mails left %j as %j', (raw, value) => {
    expect(emailsLeft(raw)).toBe(value);
  });

  it.each([-1, '-1', 0.5, '12.5', 2 ** 60, '1e3', 'many'])('rejects e-mails left %j: a count is a whole number from 0', (raw) => {
    expect(() => emailsLeft(raw)).toThrow(/^balance: invalid response: email\.emails_left: /);
  });

  it.each([
    [1, true],
    ['1', true],
    [true, true],
    ['true', true],
    [0, false],
    ['0', false],
    [false, false],
    ['false', false],
    [null, null],
    [undefined, null],
  ])('reads auto_renew %j as %j', (raw, value) => {
    expect(autoRenew(raw)).toBe(value);
  });

  it.each([2, -1, 'yes', '', []])('rejects auto_renew %j', (raw) => {
    expect(() => autoRenew(raw)).toThrow(/smtp\.auto_renew: /);
  });

  it('accepts an account id as a number or a numeric string, and nothing else', () => {
    expect(parseUserInfo({ id: '7043663' }).id).toBe(7043663);
    for (const id of [0, -1, 1.5, '12a', '', true]) expect(() => parseUserInfo({ id })).toThrow(/^user_info: invalid response: id: /);
  });

  it('reads a member without is_active as active, as only an explicit false or 0 marks one inactive', () => {
    expect(parseTeam([{ id: 1 }, { id: 2, is_active: null }, { id: 3, is_active: false }])).toEqual({ active: 2, inactive: 1 });
  });
});
