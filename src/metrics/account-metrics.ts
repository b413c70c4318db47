import { Gauge, type Registry } from 'prom-client';
import type { AccountConfig, Endpoint } from '../config/types';
import type { BalanceReading, TariffSection } from '../sendpulse/readings';
import type { AccountState, ReadingStore } from '../state/reading-store';

const FROM_POLLS = 'Read from the latest successful background poll of the SendPulse API (not fetched at scrape time).';
const ENDPOINTS: Endpoint[] = ['user_info', 'team', 'balance'];

/**
 * The per-account gauges. They are filled from the ReadingStore on every scrape (`refresh`), so any
 * replica serves every account with the same values and nothing is split across pods.
 */
export class AccountMetrics {
  private readonly g;

  constructor(registry: Registry, private readonly store: ReadingStore, private readonly accounts: () => readonly AccountConfig[]) {
    const gauge = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Gauge<L>({ name, help, labelNames, registers: [registry] });
    this.g = {
      up: gauge('sendpulse_up', `1 when the latest background poll of every endpoint of the account succeeded, else 0.`, ['account']),
      credentials: gauge('sendpulse_credentials_valid', `0 while SendPulse rejects the account's credentials (polling is then backed off), else 1.`, ['account']),
      balance: gauge('sendpulse_balance', `Account balance in its currency, by kind (main, bonus). ${FROM_POLLS}`, ['account', 'kind', 'currency']),
      emailsLeft: gauge('sendpulse_emails_left', `E-mails left on the e-mail tariff. ${FROM_POLLS}`, ['account']),
      subscribers: gauge('sendpulse_email_subscribers', `Current subscribers of the e-mail service. ${FROM_POLLS}`, ['account']),
      subscribersLimit: gauge('sendpulse_email_subscribers_limit', `Maximum subscribers of the e-mail tariff. ${FROM_POLLS}`, ['account']),
      expiry: gauge('sendpulse_tariff_expiry_timestamp_seconds', `End of the service's tariff as Unix time (read in the account's configured time zone). ${FROM_POLLS}`, ['account', 'service', 'tariff']),
      autoRenew: gauge('sendpulse_tariff_auto_renew', `1 when the service's tariff renews automatically. ${FROM_POLLS}`, ['account', 'service']),
      team: gauge('sendpulse_team_members', `Invited users of the account, by state (active, inactive). ${FROM_POLLS}`, ['account', 'state']),
      info: gauge('sendpulse_account_info', `Account facts as labels; always 1. ${FROM_POLLS}`, ['account', 'id', 'currency', 'country', 'time_zone']),
      lastSuccess: gauge('sendpulse_poll_last_success_timestamp_seconds', 'Unix time of the latest successful background poll of the endpoint.', ['account', 'endpoint']),
    };
  }

  /** Reloads every account's gauges from Redis (one pipelined round trip). */
  async refresh(): Promise<void> {
    const accounts = this.accounts();
    const states = await this.store.getMany(accounts.map((a) => a.name));
    for (const gauge of Object.values(this.g)) gauge.reset();
    accounts.forEach((a, i) => this.fill(a.name, states[i]));
  }

  private fill(account: string, s: AccountState): void {
    const g = this.g;
    g.up.set({ account }, ENDPOINTS.every((e) => s.endpoints[e].ok) ? 1 : 0);
    g.credentials.set({ account }, s.auth === 'failing' ? 0 : 1);
    for (const e of ENDPOINTS) {
      const t = s.endpoints[e].lastSuccessMs;
      if (t !== null) g.lastSuccess.set({ account, endpoint: e }, t / 1000);
    }
    const info = s.endpoints.user_info.reading;
    if (info) {
      g.info.set({ account, id: String(info.id), currency: info.currency ?? '', country: info.country ?? '', time_zone: info.timeZone ?? '' }, 1);
    }
    const team = s.endpoints.team.reading;
    if (team) {
      g.team.set({ account, state: 'active' }, team.active);
      g.team.set({ account, state: 'inactive' }, team.inactive);
    }
    const bal = s.endpoints.balance.reading;
    if (bal) this.fillBalance(account, bal);
  }

  private fillBalance(account: string, b: BalanceReading): void {
    const g = this.g;
    if (b.balance) {
      const currency = b.balance.currency ?? '';
      if (b.balance.main !== null) g.balance.set({ account, kind: 'main', currency }, b.balance.main);
      if (b.balance.bonus !== null) g.balance.set({ account, kind: 'bonus', currency }, b.balance.bonus);
    }
    if (b.email) {
      if (b.email.emailsLeft !== null) g.emailsLeft.set({ account }, b.email.emailsLeft);
      if (b.email.currentSubscribers !== null) g.subscribers.set({ account }, b.email.currentSubscribers);
      if (b.email.maximumSubscribers !== null) g.subscribersLimit.set({ account }, b.email.maximumSubscribers);
    }
    const tariffs: [string, TariffSection | null][] = [['email', b.email], ['smtp', b.smtp], ['push', b.push]];
    for (const [service, t] of tariffs) {
      if (!t) continue;
      if (t.endTime !== null) g.expiry.set({ account, service, tariff: t.tariffName ?? '' }, t.endTime);
      if (t.autoRenew !== null) g.autoRenew.set({ account, service }, t.autoRenew ? 1 : 0);
    }
  }
}
