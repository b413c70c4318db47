import type { FieldValue } from '../sendpulse/fields/field-readers';
import type { Reading } from '../sendpulse/readings';

type Obj = Record<string, unknown>;

const TARIFF_KEYS: [string, string][] = [['tariffName', 'tariff_name'], ['autoRenew', 'auto_renew']];
const END_KEY: Record<string, string> = { email: 'finished_time', smtp: 'end_date', push: 'end_date' };

/**
 * A reading stored by version 0.1 (nested, camelCase: `{ balance: { main }, email: { emailsLeft } }`)
 * in the flat shape of today (`{ values: { 'balance.main': ... }, unreadable: [] }`), so that an
 * upgrade keeps showing every account's values until its next poll instead of dropping them for up
 * to an hour. Unknown shapes give null (treated as "no reading yet").
 */
export function upgradeReading(endpoint: string, stored: unknown): Reading | null {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return null;
  const o = stored as Obj;
  if (typeof o.values === 'object' && o.values !== null && Array.isArray(o.unreadable)) return o as unknown as Reading;
  const values: Record<string, FieldValue> = {};
  const put = (path: string, v: unknown) => {
    if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') values[path] = v;
  };
  if (endpoint === 'user_info') {
    for (const [from, to] of [['id', 'id'], ['currency', 'currency'], ['country', 'country'], ['timeZone', 'time_zone'], ['locale', 'locale']]) put(to, o[from]);
  } else if (endpoint === 'team') {
    put('members.active', o.active);
    put('members.inactive', o.inactive);
  } else if (endpoint === 'balance') {
    const money = o.balance as Obj | null | undefined;
    if (money) for (const k of ['main', 'bonus', 'currency']) put(`balance.${k}`, money[k]);
    for (const service of ['email', 'smtp', 'push']) {
      const s = o[service] as Obj | null | undefined;
      if (!s) continue;
      for (const [from, to] of TARIFF_KEYS) put(`${service}.${to}`, s[from]);
      put(`${service}.${END_KEY[service]}`, s.endTime);
    }
    const email = o.email as Obj | null | undefined;
    if (email) {
      put('email.emails_left', email.emailsLeft);
      put('email.maximum_subscribers', email.maximumSubscribers);
      put('email.current_subscribers', email.currentSubscribers);
    }
  } else {
    return null;
  }
  return { values, unreadable: [] };
}
