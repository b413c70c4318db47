import { demoAccount, generateAccount } from '../simulator/default-accounts';
import type { SimAccountDef } from '../simulator/types';

/** The balance the scripted drop sets on the `demo` account: below its critical threshold (2 USD). */
export const DROPPED_BALANCE = '1.50';

/** Where the demo's config points: the simulator, Redis, the HTTP port and the mail catcher. */
export interface DemoEndpoints {
  simUrl: string;
  redisUrl: string;
  port: number;
  smtpUrl: string;
}

/** The simulated accounts: `demo` (OAuth, 9.36 USD), `shop` (API key, 0.37 USD) and `agency` (API key, 42.80 USD, sending mail). */
export function demoSimAccounts(now = Date.now()): SimAccountDef[] {
  const agency = { ...generateAccount(2, now), id: 'agency' };
  (agency.balanceDetail!.balance as Record<string, unknown>).main = '42.80';
  return [demoAccount(now), { ...generateAccount(1, now), id: 'shop' }, agency];
}

/** What the `agency` account spends every AGENCY_SENDS_EVERY_MS: its credits fall, so the status page shows a forecast. */
export const AGENCY_SENDS = { emails: 37, smtp: 23 } as const;
export const AGENCY_SENDS_EVERY_MS = 5000;

/**
 * The demo's config: the accounts with short intervals and a roomy budget, alert rules on (a global
 * balance rule the scripted drop crosses; `shop` with its own, lower rule that its 0.37 USD already
 * crosses; `agency` fine), alert mails to the mail catcher, and a 10-minute runway window.
 */
export function demoConfigYaml(e: DemoEndpoints): string {
  return `# Written by "sendpulse-monitor demo"; a real config looks the same with real credentials.
sendpulse: { baseUrl: "${e.simUrl}", timeout: 5s }
redis: { url: "${e.redisUrl}", prefix: spm-demo }
server: { host: 127.0.0.1, port: ${e.port} }
accounts:
  - name: demo
    clientId: sim-demo-client
    clientSecret: sim-demo-secret
    timezone: Europe/Kyiv
    intervals: { balance: 5s, userInfo: 30s, team: 30s }
    budget: { perMinute: 60, perDay: 50000 }
  - name: shop
    apiKey: sim-key-00001
    intervals: { balance: 10s, userInfo: 1m, team: 1m }
    budget: { perMinute: 60, perDay: 50000 }
    alerts:
      rules: { balance: { warning: 1, critical: 0.25 } }   # its own levels, over the global ones
  - name: agency
    apiKey: sim-key-00002
    intervals: { balance: 5s, userInfo: 1m, team: 1m }
    budget: { perMinute: 60, perDay: 50000 }
alerts:
  runwayWindow: 10m    # history and forecasts over 10 minutes (default 7d), so the status page's charts fill while you watch
  rules:
    balance: { warning: 5, critical: 2 }     # USD, the accounts' currency
    # tariffExpiry (7d/1d), credentials and stale are on by default
  email: { smtpUrl: "${e.smtpUrl}", from: sendpulse-monitor@demo.localhost, to: [ops@example.com] }
`;
}
