import { notificationBackoff } from '../../../jobs/deliver-notification';
import type { NotificationRecord } from '../../../src/alerts/alert-types';
import { accepts } from '../../../src/alerts/channels/channel';
import { discordMessage } from '../../../src/alerts/channels/discord';
import { classify, retryAfterHeaderMs, scrub, secretsOfUrl } from '../../../src/alerts/channels/http-post';
import { slackMessage } from '../../../src/alerts/channels/slack';
import { teamsMessage } from '../../../src/alerts/channels/teams';
import { telegramText } from '../../../src/alerts/channels/telegram';
import { DeliveryFailedError, DeliveryRejectedError, NotificationRetryError } from '../../../src/errors';
import { embedProblem } from '../../helpers/receivers/discord-receiver';
import { slackBlocksProblem } from '../../helpers/receivers/slack-receiver';
import { teamsRunProblem } from '../../helpers/receivers/teams-receiver';
import { parseTelegramHtml } from '../../helpers/receivers/telegram-receiver';

const AT = Date.UTC(2026, 4, 1, 12);

function record(over: Partial<NotificationRecord> = {}): NotificationRecord {
  return {
    id: 'main.balance.balance.1', kind: 'firing', account: 'main', rule: 'balance', service: 'balance', severity: 'critical', previousSeverity: 'ok',
    value: 1.5, threshold: 2, valueText: '1.50 USD', thresholdText: '2 USD', headline: 'balance 1.50 USD is below 2 USD',
    sinceMs: AT, createdMs: AT, runwayMs: null, recent: [{ atMs: AT, value: 1.5 }], ...over,
  };
}

/** A notification far past every service's limits, with markup in it. */
const huge = record({
  account: 'my_shop_eu', headline: `balance <b>&amp; ${'x'.repeat(10_000)}`, valueText: 'v'.repeat(5000),
  recent: Array.from({ length: 2000 }, (_, i) => ({ atMs: AT - i * 60_000, value: i / 7 })),
});

describe('how a failure is classified (every HTTP status, as Alertmanager\'s notify/test RetryTests)', () => {
  const outcome = (status: number) => {
    try {
      classify({ channel: 'x', secrets: [] }, { status, text: '', headers: {} });
      return 'delivered';
    } catch (err) {
      return err instanceof DeliveryRejectedError ? 'rejected' : err instanceof DeliveryFailedError ? 'retried' : 'other';
    }
  };

  it('delivers on 2xx, retries 429 and 5xx, and rejects every other status', () => {
    for (let status = 100; status < 600; status++) {
      const want = status >= 200 && status < 300 ? 'delivered' : status === 429 || status >= 500 ? 'retried' : 'rejected';
      expect({ status, got: outcome(status) }).toEqual({ status, got: want });
    }
  });

  it('reads Retry-After as seconds or as an HTTP date, and caps a wait at an hour', () => {
    expect(retryAfterHeaderMs('3')).toBe(3000);
    expect(retryAfterHeaderMs('1.5')).toBe(1500);
    expect(retryAfterHeaderMs(new Date(AT + 7000).toUTCString(), AT)).toBe(7000);
    expect(retryAfterHeaderMs(undefined)).toBeUndefined();
    expect(retryAfterHeaderMs('soon')).toBeUndefined();
    const err = (() => {
      try {
        classify({ channel: 'x', secrets: [] }, { status: 429, text: '', headers: { 'retry-after': '86400' } });
      } catch (e) {
        return e as DeliveryFailedError;
      }
    })();
    expect(err?.retryAfterMs).toBe(3_600_000);
  });

  it('cuts a webhook URL, its path, its token and their encoded forms out of a message', () => {
    const url = 'https://hooks.slack.com/services/T0AAA/B0BBB/SlackHookSecret0123456789?x=1';
    const secrets = secretsOfUrl(url);
    const echoed = `HTTP 404: no_service for ${url} (/services/T0AAA/B0BBB/SlackHookSecret0123456789, ${encodeURIComponent('SlackHookSecret0123456789')} SlackHookSecret0123456789)`;
    expect(scrub(echoed, secrets)).not.toMatch(/SlackHookSecret/);
    expect(scrub('bot123:AAF-token-secret-value', secretsOfUrl('https://api.telegram.org/bot123:AAF-token-secret-value/sendMessage'))).not.toContain('AAF-token');
  });
});

describe('channel filters', () => {
  it('pass a resolution or de-escalation through the severity it leaves, and always pass a test', () => {
    const crit = { severities: ['critical' as const] };
    expect(accepts(crit, record({ severity: 'warning', previousSeverity: 'ok' }))).toBe(false);
    expect(accepts(crit, record({ kind: 'escalated', severity: 'critical', previousSeverity: 'warning' }))).toBe(true);
    expect(accepts(crit, record({ kind: 'deescalated', severity: 'warning', previousSeverity: 'critical' }))).toBe(true);
    expect(accepts(crit, record({ kind: 'resolved', severity: 'ok', previousSeverity: 'critical' }))).toBe(true);
    expect(accepts(crit, record({ kind: 'resolved', severity: 'ok', previousSeverity: 'warning' }))).toBe(false);
    expect(accepts({ accounts: ['other'] }, record())).toBe(false);
    expect(accepts({ accounts: ['other'], severities: ['warning'] }, record({ kind: 'test', severity: 'ok' }))).toBe(true);
  });
});

describe('messages stay within each service\'s documented limits and escaping', () => {
  it('Slack: valid Block Kit (50 blocks, header 150, section 3000, 10 fields of 2000) with a text fallback, markup escaped', () => {
    for (const r of [record(), huge]) {
      const m = slackMessage(r, 'https://grafana.example/d?a=1&b=2');
      expect(slackBlocksProblem(m.blocks)).toBeNull();
      expect(m.text.length).toBeGreaterThan(0);
    }
    expect(slackMessage(huge).text).toContain('balance &lt;b&gt;&amp;amp;');
  });

  it('Discord: one embed under 256/4096/25 fields/1024 and 6000 characters in total', () => {
    for (const r of [record(), huge]) {
      const [e] = discordMessage(r, 'https://grafana.example/d').embeds;
      expect(embedProblem(e)).toBeNull();
      const total = e.title.length + e.description.length + e.footer.text.length + e.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
      expect(total).toBeLessThanOrEqual(6000);
    }
    expect(discordMessage(record()).allowed_mentions).toEqual({ parse: [] });
  });

  it('Teams: a message with an Adaptive Card attachment under 28 KB that the workflow posts, emphasis escaped', () => {
    for (const r of [record(), huge]) expect(teamsRunProblem(teamsMessage(r, 'https://grafana.example/d'))).toBeNull();
    expect(JSON.stringify(teamsMessage(huge))).toContain('my\\\\_shop\\\\_eu');
  });

  it('Telegram: HTML with only the allowed tags, <, > and & escaped, at most 4096 visible characters', () => {
    for (const r of [record(), huge]) {
      const parsed = parseTelegramHtml(telegramText(r, 'https://grafana.example/d?a=1&b="2"'));
      expect(parsed.ok && parsed.visible.length <= 4096).toBe(true);
    }
    const parsed = parseTelegramHtml(telegramText(huge));
    expect(parsed.ok && parsed.visible).toContain('balance <b>&amp; xxx');
  });
});

describe('the retry delay of a notification job', () => {
  const job = { opts: { backoff: { type: 'retry-after', delay: 5000 } } };
  const failed = (status: number, retryAfterMs?: number) => new DeliveryFailedError('x', 'y', { status, retryAfterMs });

  it('doubles from the base delay when no service asked for a wait', () => {
    expect([1, 2, 3, 4].map((n) => notificationBackoff(n, 'retry-after', new NotificationRetryError([failed(503)]), job))).toEqual([5000, 10000, 20000, 40000]);
  });

  it('is exactly the longest retry-after when every failure was a 429, and never sooner than it otherwise', () => {
    expect(notificationBackoff(3, 'retry-after', new NotificationRetryError([failed(429, 1200), failed(429, 800)]), job)).toBe(1200);
    expect(notificationBackoff(1, 'retry-after', new NotificationRetryError([failed(429, 30_000), failed(503)]), job)).toBe(30_000);
    expect(notificationBackoff(4, 'retry-after', new NotificationRetryError([failed(429, 1000), failed(503)]), job)).toBe(40_000);
  });
});
