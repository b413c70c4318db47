import { balanceEndpoint } from '../../../src/sendpulse/endpoints/balance';
import { parseTeam } from '../../../src/sendpulse/endpoints/team';
import { userInfoEndpoint } from '../../../src/sendpulse/endpoints/user-info';
import { formatTrafficBytes, parseTrafficBytes } from '../../../src/sendpulse/fields/traffic-bytes';

/** Single values as SendPulse may write them, each in an otherwise good answer. */
const balance = (body: unknown) => balanceEndpoint.parse(body, { timeZone: 'UTC' });
const money = (main: unknown) => balance({ balance: { main, currency: 'USD' } });
const emailsLeft = (emails_left: unknown) => balance({ email: { emails_left } });
const autoRenew = (auto_renew: unknown) => balance({ smtp: { auto_renew } });

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
    expect(Object.is(money(raw).values['balance.main'], value)).toBe(true);
  });

  it.each(['n/a', '', '1e3', '0x10', '1,5', '9.36 USD', 'NaN', 'Infinity', '9'.repeat(400), true, [], {}])(
    'makes the balance %j unreadable instead of guessing a number, and keeps the currency',
    (raw) => {
      const r = money(raw);
      expect(r.values['balance.main']).toBeNull();
      expect(r.values['balance.currency']).toBe('USD');
      expect(r.unreadable.map((p) => p.path)).toEqual(['balance.main']);
      // The problem names the kind of fault, never the value (it may be personal).
      if (typeof raw === 'string' && raw.length > 2) expect(r.unreadable[0].problem).not.toContain(raw);
    },
  );

  it.each([
    [9914, 9914],
    ['9914', 9914],
    [0, 0],
  ])('reads e-mails left %j as %j', (raw, value) => {
    expect(emailsLeft(raw).values['email.emails_left']).toBe(value);
  });

  it.each([-1, '-1', 0.5, '12.5', 2 ** 60, '1e3', 'many'])('makes e-mails left %j unreadable: a count is a whole number from 0', (raw) => {
    const r = emailsLeft(raw);
    expect(r.values['email.emails_left']).toBeNull();
    expect(r.unreadable.map((p) => p.path)).toEqual(['email.emails_left']);
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
  ])('reads auto_renew %j as %j', (raw, value) => {
    expect(autoRenew(raw).values['smtp.auto_renew']).toBe(value);
  });

  it.each([2, -1, 'yes', '', []])('makes auto_renew %j unreadable', (raw) => {
    expect(autoRenew(raw).unreadable).toEqual([{ path: 'smtp.auto_renew', problem: 'is not a flag (true/false, 1/0)' }]);
  });

  it('accepts an account id as a number or a numeric string, and marks anything else unreadable', () => {
    expect(userInfoEndpoint.parse({ id: '7043663' }, { timeZone: 'UTC' }).values.id).toBe(7043663);
    for (const id of [0, -1, 1.5, '12a', '', true]) {
      const r = userInfoEndpoint.parse({ id, currency: 'USD' }, { timeZone: 'UTC' });
      expect([r.values.id, r.values.currency, r.unreadable.map((p) => p.path)]).toEqual([null, 'USD', ['id']]);
    }
  });

  it('reads a member without is_active as active, as only an explicit false or 0 marks one inactive', () => {
    expect(parseTeam([{ id: 1 }, { id: 2, is_active: null }, { id: 3, is_active: false }]).values).toEqual({ 'members.active': 2, 'members.inactive': 1 });
  });

  it('leaves a section out when SendPulse does (an inactive service), and reads a present one with missing fields as null', () => {
    const r = balance({ smtp: { tariff_name: 'SMTP' } });
    expect(Object.keys(r.values).filter((k) => k.startsWith('push.'))).toEqual([]);
    expect(r.values['smtp.email_qty_left']).toBeNull();
    expect(r.values['smtp.tariff_name']).toBe('SMTP');
  });
});

describe('SMTP traffic', () => {
  it.each([
    ['1000 Mb', 1000 * 2 ** 20],
    ['12.50 Mb', 12.5 * 2 ** 20],
    ['1Gb', 2 ** 30],
    ['300 kb', 300 * 1024],
    ['0 b', 0],
    ['2 TB', 2 * 2 ** 40],
    [' 7.5mb ', 7.5 * 2 ** 20],
    ['.5 Gb', 2 ** 29],
  ])('reads %j as %d bytes (binary units)', (text, bytes) => {
    expect(parseTrafficBytes(text)).toBe(bytes);
  });

  it.each(['1000', 'Mb', '1,5 Mb', '-1 Mb', '1e3 Mb', '10 MiB', '10 Pb', '', 'lots'])('does not guess at %j', (text) => {
    expect(parseTrafficBytes(text)).toBeNull();
  });

  it('writes bytes back in the largest unit that keeps the number at 1 or more', () => {
    expect(formatTrafficBytes(13107200)).toBe('12.5 Mb');
    expect(formatTrafficBytes(1048576000)).toBe('1000 Mb');
    expect(formatTrafficBytes(2 ** 30)).toBe('1 Gb');
    expect(formatTrafficBytes(512)).toBe('512 b');
  });
});
