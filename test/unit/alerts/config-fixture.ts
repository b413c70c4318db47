import { Secret } from '../../../src/config/secret';
import type { AccountConfig, AlertsConfig, MonitorConfig } from '../../../src/config/types';
import type { BalanceReading } from '../../../src/sendpulse/readings';
import type { AccountState } from '../../../src/state/reading-store';

export const DAY = 86400_000;
export const MIN = 60_000;

/** A validated-looking config with the default rules; override what a test needs. */
export function makeConfig(over: { alerts?: Partial<AlertsConfig>; account?: Partial<AccountConfig>; accounts?: string[] } = {}): MonitorConfig {
  const alerts: AlertsConfig = {
    rules: { balance: { warning: 10, critical: 2 }, emailsLeft: { warning: 1000, critical: 100 },
      tariffExpiry: { warning: 7 * DAY, critical: DAY }, subscribers: { warning: 0.9, critical: 0.98 },
      runway: { warning: 14 * DAY, critical: 3 * DAY }, credentials: true, stale: true },
    repeatInterval: DAY, sendResolved: true, hysteresis: 0.05, pendingPolls: 1, runwayWindow: 7 * DAY,
    staleAfterIntervals: 3, maxAttempts: 10, ...over.alerts,
  };
  const accounts = (over.accounts ?? ['main']).map((name): AccountConfig => ({
    name, auth: { kind: 'apiKey', apiKey: new Secret('k-secret') }, plan: 'free', timezone: 'UTC',
    intervals: { balance: 5 * MIN, userInfo: 60 * MIN, team: 60 * MIN },
    budget: { perMinute: 10, perDay: 5000, perSecond: 5, share: 0.01, onOverflow: 'stretch' },
    alerts: { rules: alerts.rules, to: [] }, ...over.account,
  }));
  return {
    sendpulse: { baseUrl: 'http://127.0.0.1:1', timeout: 10000 }, redis: { url: new Secret('redis://127.0.0.1:1'), prefix: 'spm' },
    server: { host: '127.0.0.1', port: 0 }, worker: { concurrency: 32 }, accounts, alerts, logLevel: 'info',
  };
}

/** A balance reading with healthy values unless overridden. */
export function balanceReading(over: { main?: number | null; emailsLeft?: number | null; current?: number; max?: number; emailEnd?: number | null; smtpEnd?: number | null } = {}): BalanceReading {
  return {
    balance: { main: over.main === undefined ? 50 : over.main, bonus: 0, currency: 'USD' },
    email: { tariffName: 'Pay as you go', endTime: over.emailEnd ?? null, autoRenew: true,
      emailsLeft: over.emailsLeft === undefined ? 5000 : over.emailsLeft, maximumSubscribers: over.max ?? 1000, currentSubscribers: over.current ?? 10 },
    smtp: over.smtpEnd === undefined ? null : { tariffName: 'SMTP', endTime: over.smtpEnd, autoRenew: false },
    push: null,
  };
}

/** An AccountState with a good balance poll at `atMs` (other endpoints polled well too). */
export function accountState(reading: BalanceReading | null, atMs: number, auth: 'ok' | 'failing' = 'ok'): AccountState {
  const good = { lastSuccessMs: atMs, lastAttemptMs: atMs, ok: true, reason: null };
  return {
    endpoints: {
      user_info: { reading: { id: 1, currency: 'USD', country: null, timeZone: null, locale: null }, ...good },
      team: { reading: { active: 1, inactive: 0 }, ...good },
      balance: { reading, ...good },
    },
    auth,
  };
}
