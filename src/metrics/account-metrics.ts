import type { AccountConfig, Endpoint } from '../config/types';
import { childLogger } from '../logger';
import { esc, family, val } from './text-format';
import type { BalanceReading, TariffSection } from '../sendpulse/readings';
import type { AccountState, ReadingStore } from '../state/reading-store';

const FROM_POLLS = 'Read from the latest successful background poll of the SendPulse API (not fetched at scrape time).';
const ENDPOINTS: Endpoint[] = ['user_info', 'team', 'balance'];

/** The per-account families, in the order they are written, with their help text. */
const FAMILIES = {
  up: ['sendpulse_up', '1 when the latest background poll of every endpoint of the account succeeded, else 0.'],
  credentials: ['sendpulse_credentials_valid', "0 while SendPulse rejects the account's credentials (polling is then backed off), else 1."],
  balance: ['sendpulse_balance', `Account balance in its currency, by kind (main, bonus). ${FROM_POLLS}`],
  emailsLeft: ['sendpulse_emails_left', `E-mails left on the e-mail tariff. ${FROM_POLLS}`],
  subscribers: ['sendpulse_email_subscribers', `Current subscribers of the e-mail service. ${FROM_POLLS}`],
  subscribersLimit: ['sendpulse_email_subscribers_limit', `Maximum subscribers of the e-mail tariff. ${FROM_POLLS}`],
  expiry: ['sendpulse_tariff_expiry_timestamp_seconds', `End of the service's tariff as Unix time (read in the account's configured time zone). ${FROM_POLLS}`],
  autoRenew: ['sendpulse_tariff_auto_renew', `1 when the service's tariff renews automatically. ${FROM_POLLS}`],
  team: ['sendpulse_team_members', `Invited users of the account, by state (active, inactive). ${FROM_POLLS}`],
  info: ['sendpulse_account_info', `Account facts as labels; always 1. ${FROM_POLLS}`],
  lastSuccess: ['sendpulse_poll_last_success_timestamp_seconds', 'Unix time of the latest successful background poll of the endpoint.'],
} as const;
type Family = keyof typeof FAMILIES;
type Lines = Record<Family, string[]>;

/** Accounts read from Redis per pipelined round trip; between chunks the event loop runs polls. */
const CHUNK = 1000;

/**
 * The per-account gauges, read from the ReadingStore on every scrape (`refresh`), so any replica
 * serves every account with the same values and nothing is split across pods.
 *
 * Why text and not prom-client Gauges: at 10,000 accounts these are ~190,000 series; filling Gauges
 * (a label hash per series) and letting the registry format them took over 2 s per scrape and
 * blocked the event loop, so polls started late (benchmark: p99 poll lag 4.4 s). Written straight
 * into the exposition format, in chunks that let polls run in between, it is a fraction of that.
 */
export class AccountMetrics {
  readonly #log = childLogger({ component: 'account-metrics' });
  #last = '';

  constructor(private readonly store: ReadingStore, private readonly accounts: () => readonly AccountConfig[]) {}

  /**
   * Reads every account's state from Redis and returns the per-account families in the Prometheus
   * text format; when Redis cannot be read, the last text read (logged), as the Gauges did before.
   */
  async refresh(): Promise<string> {
    const accounts = this.accounts();
    const lines = Object.fromEntries(Object.keys(FAMILIES).map((k) => [k, [] as string[]])) as unknown as Lines;
    try {
      for (let i = 0; i < accounts.length; i += CHUNK) {
        if (i > 0) await new Promise<void>((r) => setImmediate(r));
        const names = accounts.slice(i, i + CHUNK).map((a) => a.name);
        const states = await this.store.getMany(names);
        names.forEach((name, k) => fill(lines, name, states[k]));
      }
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'account state unavailable for this scrape; serving the values read last');
      return this.#last;
    }
    const out: string[] = [];
    for (const [key, [name, help]] of Object.entries(FAMILIES)) out.push(family(name, help, 'gauge', lines[key as Family]));
    this.#last = out.join('\n');
    return this.#last;
  }
}

function fill(lines: Lines, account: string, s: AccountState): void {
  const a = `account="${esc(account)}"`;
  const put = (family: Family, labels: string, v: number) => lines[family].push(`${FAMILIES[family][0]}{${labels}} ${val(v)}\n`);
  put('up', a, ENDPOINTS.every((e) => s.endpoints[e].ok) ? 1 : 0);
  put('credentials', a, s.auth === 'failing' ? 0 : 1);
  for (const e of ENDPOINTS) {
    const t = s.endpoints[e].lastSuccessMs;
    if (t !== null) put('lastSuccess', `${a},endpoint="${e}"`, t / 1000);
  }
  const info = s.endpoints.user_info.reading;
  if (info) {
    put('info', `${a},id="${esc(String(info.id))}",currency="${esc(info.currency ?? '')}",country="${esc(info.country ?? '')}",time_zone="${esc(info.timeZone ?? '')}"`, 1);
  }
  const team = s.endpoints.team.reading;
  if (team) {
    put('team', `${a},state="active"`, team.active);
    put('team', `${a},state="inactive"`, team.inactive);
  }
  const bal = s.endpoints.balance.reading;
  if (bal) fillBalance(put, a, bal);
}

function fillBalance(put: (f: Family, labels: string, v: number) => void, a: string, b: BalanceReading): void {
  if (b.balance) {
    const currency = esc(b.balance.currency ?? '');
    if (b.balance.main !== null) put('balance', `${a},kind="main",currency="${currency}"`, b.balance.main);
    if (b.balance.bonus !== null) put('balance', `${a},kind="bonus",currency="${currency}"`, b.balance.bonus);
  }
  if (b.email) {
    if (b.email.emailsLeft !== null) put('emailsLeft', a, b.email.emailsLeft);
    if (b.email.currentSubscribers !== null) put('subscribers', a, b.email.currentSubscribers);
    if (b.email.maximumSubscribers !== null) put('subscribersLimit', a, b.email.maximumSubscribers);
  }
  const tariffs: [string, TariffSection | null][] = [['email', b.email], ['smtp', b.smtp], ['push', b.push]];
  for (const [service, t] of tariffs) {
    if (!t) continue;
    if (t.endTime !== null) put('expiry', `${a},service="${service}",tariff="${esc(t.tariffName ?? '')}"`, t.endTime);
    if (t.autoRenew !== null) put('autoRenew', `${a},service="${service}"`, t.autoRenew ? 1 : 0);
  }
}
