import type { Json, JsonObject, SimAccountDef } from './types';

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD HH:MM:SS` in UTC, the zoneless format SendPulse uses for tariff ends. */
export function formatDateTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** `YYYY-MM-DD` in UTC, the short format SendPulse uses for some end dates (push). */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A `/user/info` body shaped as the reference; `phone` is a string here (a number in the team list). */
export function sampleUserInfo(id: number, name: string): JsonObject {
  const [first, last] = name.split(' ');
  const handle = name.toLowerCase().replace(/ /g, '.');
  return {
    id,
    name,
    first_name: first ?? name,
    last_name: last ?? '',
    email: `${handle}@example.com`,
    phone: `38068${String(id).padStart(7, '0').slice(-7)}`,
    lang: 'en:English',
    avatar: null,
    currency: 'USD',
    country: 'NZ',
    city: 'Hobbiton',
    locale: 'Pacific/Auckland',
    time_zone: '12',
    team_name: `${last ?? name} team`,
    team_avatar: null,
    phone_confirm: true,
  };
}

/** Three team members as in the reference: numeric phones, `group_id` and `avatar` sometimes null. */
export function sampleTeam(): Json[] {
  return [
    { id: 7043663, firstname: 'john', lastname: 'harrington', email: 'john.harrington@example.com', group_id: null,
      is_active: true, avatar: 'https://example.com/avatars/test-user-1.png', lang: 'ua:Українська',
      locale: 'Europe/Kyiv', currency: 'UAH', country: 'UA', phone: 380671112233 },
    { id: 8802086, firstname: 'amelia', lastname: 'rowe', email: 'amelia.rowe@example.org', group_id: 6,
      is_active: true, avatar: null, lang: 'en:English', locale: 'Europe/Berlin', currency: 'EUR', country: 'DE',
      phone: 499876543210 },
    { id: 8700831, firstname: 'william', lastname: 'dawson', email: 'william.dawson@example.net', group_id: 1,
      is_active: false, avatar: null, lang: 'ua:Українська', locale: 'Europe/Berlin', currency: 'UAH', country: 'DE',
      phone: 380631234567 },
  ];
}

/**
 * A `/user/balance/detail` body with every section, shaped like a real account's: balances as
 * strings, `email.is_unique_type`, and the SMTP credits and traffic ("1000 Mb" strings) that real
 * accounts send beyond the reference's example. Tariff ends lie ahead of `now` so a fresh demo shows
 * nothing expired.
 */
export function sampleBalanceDetail(now: number, main = '9.36'): JsonObject {
  return {
    balance: { main, bonus: '5.00', currency: 'USD' },
    email: {
      tariff_name: 'Pay as you go 10 000',
      finished_time: formatDateTime(now + 30 * DAY_MS),
      emails_left: 9914,
      maximum_subscribers: 10000,
      current_subscribers: 2350,
      is_unique_type: false,
    },
    smtp: {
      tariff_name: 'SMTP Free', end_date: formatDateTime(now + 45 * DAY_MS), auto_renew: 1,
      email_qty: 12000, email_qty_left: 11876, qty_per_hour: 500, traffic_limit: '1000 Mb', traffic_limit_left: '987.50 Mb',
    },
    push: { tariff_name: 'White Label', end_date: formatDate(now + 60 * DAY_MS), auto_renew: 0 },
  };
}

/** The account the simulator starts with when given none: `demo`, with a key and client credentials. */
export function demoAccount(now = Date.now()): SimAccountDef {
  return {
    id: 'demo',
    apiKey: 'sim-demo-key',
    clientId: 'sim-demo-client',
    clientSecret: 'sim-demo-secret',
    tokenTtlSeconds: 3600,
    plan: 'free',
    userInfo: sampleUserInfo(7043663, 'Frodo Baggins'),
    team: sampleTeam(),
    balanceDetail: sampleBalanceDetail(now),
  };
}

/**
 * Account number `i` of a generated fleet (benchmarks, scale tests): id `acct-<i>`, API key
 * `sim-key-<i>`, client `sim-client-<i>` / `sim-secret-<i>`, values varying with `i` and stable
 * between runs.
 */
export function generateAccount(i: number, now = Date.now()): SimAccountDef {
  const n = String(i).padStart(5, '0');
  const detail = sampleBalanceDetail(now, ((i * 37) % 10000 / 100).toFixed(2));
  (detail.email as JsonObject).emails_left = (i * 7919) % 100000;
  (detail.smtp as JsonObject).email_qty_left = (i * 104729) % 12000;
  // As on real accounts: some have push inactive (the section left out), some a push tariff with no end ("").
  if (i % 5 === 0) delete detail.push;
  else if (i % 7 === 0) (detail.push as JsonObject).end_date = '';
  return {
    id: `acct-${n}`,
    apiKey: `sim-key-${n}`,
    clientId: `sim-client-${n}`,
    clientSecret: `sim-secret-${n}`,
    userInfo: sampleUserInfo(1_000_000 + i, 'Samwise Gamgee'),
    team: sampleTeam().slice(0, 1 + (i % 3)),
    balanceDetail: detail,
  };
}
