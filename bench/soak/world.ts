import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { startSimulator } from '../../src/simulator/simulator';
import type { SimAccountDef, Simulator } from '../../src/simulator/types';
import { freePort } from '../../src/state/private-redis';
import { startSmtpReceiver, startWebhookReceiver, type Receiver } from './receivers';
import { Replica } from './replica';
import { MASTER_NAME, startSentinelSet, type SentinelSet } from './sentinel-set';

/** Poll interval of the balance endpoint (which carries every value the soak moves), ms. */
export const BALANCE_INTERVAL_MS = 2000;
/** Interval of the user-info and team endpoints, ms. */
export const OTHER_INTERVAL_MS = 20_000;
/** Each account's budget in the monitors' config: tight (the schedule uses 36 of the 40 a minute). */
export const BUDGET = { perSecond: 2, perMinute: 40 } as const;
/** Replicas of the monitor. */
export const REPLICAS = 3;

/** A value the soak moves across thresholds: three levels, each set as a field of the balance detail. */
export type Knob = 'balance' | 'emailsLeft' | 'tariffExpiry';
export const KNOBS: readonly Knob[] = ['balance', 'emailsLeft', 'tariffExpiry'];
export type Level = 'ok' | 'warning' | 'critical';
export const LEVELS: readonly Level[] = ['ok', 'warning', 'critical'];

const DAY = 86_400_000;
function datetime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** The balance-detail patch that puts `knob` at `level` (thresholds: balance 10/2 USD, e-mails 1000/100, tariff 7 d/1 d). */
export function knobPatch(knob: Knob, level: Level, now: number): object {
  switch (knob) {
    case 'balance': return { balance: { main: { ok: '50.00', warning: '5.00', critical: '1.00' }[level] } };
    case 'emailsLeft': return { email: { emails_left: { ok: 9914, warning: 500, critical: 50 }[level] } };
    case 'tariffExpiry': return { email: { finished_time: datetime(now + { ok: 30 * DAY, warning: 3 * DAY, critical: DAY / 2 }[level]) } };
  }
}

/** The alert (rule and service, as in the notification id `account.rule.service.seq`) that watches a knob. */
export const KNOB_ALERT: Record<Knob, string> = { balance: 'balance.balance', emailsLeft: 'emailsLeft.email', tariffExpiry: 'tariffExpiry.email' };

/** The value a knob level shows in `sendpulse_balance{kind="main"}` (freshness is measured on the balance). */
export const BALANCE_VALUE: Record<Level, number> = { ok: 50, warning: 5, critical: 1 };

/** Every part of a soak run: Redis with Sentinels, the simulator, the receivers, the replicas. */
export interface World {
  dir: string;
  redis: SentinelSet;
  sim: Simulator;
  smtp: Receiver;
  webhook: Receiver;
  replicas: Replica[];
  accounts: { id: string; oauth: boolean }[];
  close(): Promise<void>;
}

/** Starts everything but the replicas' processes (call replica.start()). */
export async function startWorld(dir: string, accountCount: number): Promise<World> {
  const redis = await startSentinelSet(join(dir, 'redis'));
  const now = Date.now();
  const accounts = Array.from({ length: accountCount }, (_, i) => ({ id: `a${String(i + 1).padStart(2, '0')}`, oauth: i % 2 === 1 }));
  const defs: SimAccountDef[] = accounts.map(({ id }, i) => ({
    id, apiKey: `key-${id}`, clientId: `client-${id}`, clientSecret: `secret-${id}`, tokenTtlSeconds: 600,
    userInfo: sampleUserInfo(1000 + i, 'Soak Account'), team: sampleTeam(),
    balanceDetail: { ...sampleBalanceDetail(now, '50.00'), email: { ...(sampleBalanceDetail(now).email as object), emails_left: 9914, finished_time: datetime(now + 30 * DAY) } },
  }));
  const sim = await startSimulator({ accounts: defs, requestLogSize: 2_000_000 });
  const smtp = await startSmtpReceiver();
  const webhook = await startWebhookReceiver();
  const accountsYaml = accounts.map(({ id, oauth }) => `
  - name: ${id}
    ${oauth ? `clientId: client-${id}\n    clientSecret: secret-${id}` : `apiKey: key-${id}`}
    intervals: { balance: ${BALANCE_INTERVAL_MS / 1000}s, userInfo: ${OTHER_INTERVAL_MS / 1000}s, team: ${OTHER_INTERVAL_MS / 1000}s }
    budget: { perMinute: ${BUDGET.perMinute}, perDay: 100000, perSecond: ${BUDGET.perSecond}, onOverflow: refuse }`).join('');
  const replicas: Replica[] = [];
  for (let i = 0; i < REPLICAS; i++) {
    const port = await freePort();
    const file = join(dir, `replica-${i}.yaml`);
    writeFileSync(file, `sendpulse: { baseUrl: "${sim.url}", timeout: 2s, authBackoff: { initial: 3s, max: 10s } }
redis:
  sentinel: { sentinels: [${redis.addresses.map((a) => `"${a}"`).join(', ')}], name: ${MASTER_NAME} }
  prefix: soak
server: { host: 127.0.0.1, port: ${port} }
worker: { concurrency: 16 }
accounts:${accountsYaml}
alerts:
  repeatInterval: 24h
  staleAfter: 5
  rules:
    balance: { warning: 10, critical: 2 }
    emailsLeft: { warning: 1000, critical: 100 }
  email: { smtpUrl: "${smtp.url}", from: monitor@example.com, to: [ops@example.com] }
  webhook: { url: "${webhook.url}" }
`);
    replicas.push(new Replica(i, file, `http://127.0.0.1:${port}`, join(dir, `replica-${i}.log`)));
  }
  return {
    dir, redis, sim, smtp, webhook, replicas, accounts,
    close: async () => {
      await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
      await Promise.all([sim.close(), smtp.down(), webhook.down()]);
      await redis.close();
    },
  };
}
