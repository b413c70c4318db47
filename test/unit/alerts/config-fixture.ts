import { Secret } from '../../../src/config/secret';
import type { AccountConfig, AlertsConfig, MonitorConfig } from '../../../src/config/types';
import type { Reading } from '../../../src/sendpulse/readings';
import type { AccountState } from '../../../src/state/reading-store';

export const DAY = 86400_000;
export const MIN = 60_000;

/** A validated-looking config with the default rules; override what a test needs. */
export function makeConfig(over: { alerts?: Partial<AlertsConfig>; account?: Partial<AccountConfig>; accounts?: string[]; server?: Partial<MonitorConfig['server']> } = {}): MonitorConfig {
  const alerts: AlertsConfig = {
    rules: { balance: { warning: 10, critical: 2 }, emailsLeft: { warning: 1000, critical: 100 },
      tariffExpiry: { warning: 7 * DAY, critical: DAY }, subscribers: { warning: 0.9, critical: 0.98 },
      runway: { warning: 14 * DAY, critical: 3 * DAY }, credentials: true, stale: true },
    repeatInterval: DAY, sendResolved: true, hysteresis: 0.05, pendingPolls: 1, runwayWindow: 7 * DAY,
    staleAfterIntervals: 3, maxAttempts: 10, ...over.alerts,
  };
  const accounts = (over.accounts ?? ['main']).map((name): AccountConfig => ({
    name, auth: { kind: 'apiKey', apiKey: new Secret('k-secret') }, plan: 'free', timezone: 'UTC',
    intervals: { balance: 5 * MIN, user_info: 60 * MIN, team: 60 * MIN },
    budget: { perMinute: 10, perDay: 5000, perSecond: 5, share: 0.01, onOverflow: 'stretch' },
    alerts: { rules: alerts.rules, to: [] }, ...over.account,
  }));
  return {
    sendpulse: { baseUrl: 'http://127.0.0.1:1', timeout: 10000, authBackoff: { initialMs: 60_000, maxMs: 1_800_000 } }, redis: { url: new Secret('redis://127.0.0.1:1'), prefix: 'spm', allowEviction: false, shards: 1 },
    server: { host: '127.0.0.1', port: 0, ...over.server }, worker: { concurrency: 32 }, accounts, alerts, logLevel: 'info',
  };
}

/** A balance reading with healthy values unless overridden (`smtpLeft` etc. add an smtp section). */
export function balanceReading(over: {
  main?: number | null; emailsLeft?: number | null; current?: number; max?: number; emailEnd?: number | null; smtpEnd?: number | null;
  smtpLeft?: number | null; smtpQty?: number | null; trafficLeft?: number | null; trafficLimit?: number | null;
  unreadable?: string[];
} = {}): Reading {
  const values: Reading['values'] = {
    'balance.main': over.main === undefined ? 50 : over.main, 'balance.bonus': 0, 'balance.currency': 'USD',
    'email.tariff_name': 'Pay as you go', 'email.finished_time': over.emailEnd ?? null, 'email.auto_renew': true,
    'email.emails_left': over.emailsLeft === undefined ? 5000 : over.emailsLeft,
    'email.maximum_subscribers': over.max ?? 1000, 'email.current_subscribers': over.current ?? 10, 'email.is_unique_type': null,
  };
  const smtp = over.smtpEnd !== undefined || over.smtpLeft !== undefined || over.trafficLeft !== undefined;
  if (smtp) {
    Object.assign(values, {
      'smtp.tariff_name': 'SMTP', 'smtp.end_date': over.smtpEnd ?? null, 'smtp.auto_renew': false,
      'smtp.email_qty': over.smtpQty === undefined ? 10000 : over.smtpQty, 'smtp.email_qty_left': over.smtpLeft ?? null, 'smtp.qty_per_hour': 100,
      'smtp.traffic_limit': over.trafficLimit === undefined ? 1000 * 2 ** 20 : over.trafficLimit, 'smtp.traffic_limit_left': over.trafficLeft ?? null,
    });
  }
  for (const path of over.unreadable ?? []) values[path] = null;
  return { values, unreadable: (over.unreadable ?? []).map((path) => ({ path, problem: 'is not a date' })) };
}

/** An AccountState with a good balance poll at `atMs` (other endpoints polled well too). */
export function accountState(reading: Reading | null, atMs: number, auth: 'ok' | 'failing' = 'ok', unreadableSinceMs = atMs): AccountState {
  const good = { lastSuccessMs: atMs, lastAttemptMs: atMs, ok: true, reason: null, unreadableSince: {} };
  return {
    endpoints: {
      user_info: { reading: { values: { id: 1, currency: 'USD', country: null, time_zone: null, locale: null }, unreadable: [] }, ...good },
      team: { reading: { values: { 'members.active': 1, 'members.inactive': 0 }, unreadable: [] }, ...good },
      balance: { reading, ...good, unreadableSince: Object.fromEntries((reading?.unreadable ?? []).map((p) => [p.path, unreadableSinceMs])) },
    },
    auth,
  };
}
