import { randomUUID } from 'node:crypto';
import { notificationsTotal } from '../../src/alerts/alert-metrics';
import { runTestAlert } from '../../src/cli/test-alert';
import { Secret } from '../../src/config/secret';
import type { AlertsConfig } from '../../src/config/types';
import { startDiscordReceiver, type DiscordReceiver } from '../helpers/receivers/discord-receiver';
import { startSlackReceiver, type SlackReceiver } from '../helpers/receivers/slack-receiver';
import { startTeamsReceiver, type TeamsReceiver } from '../helpers/receivers/teams-receiver';
import { startTelegramReceiver, type TelegramReceiver } from '../helpers/receivers/telegram-receiver';
import { startRedis, type TestRedis } from '../helpers/redis-server';
import { AlertHarness } from '../unit/alerts/alert-harness';
import { MIN, balanceReading, makeConfig } from '../unit/alerts/config-fixture';

const DASHBOARD = 'https://grafana.example/d/spm';
const SUBJECT = '[FIRING:critical] main: balance 1.50 USD is below 2 USD';

let redis: TestRedis;
let slack: SlackReceiver;
let discord: DiscordReceiver;
let teams: TeamsReceiver;
let telegram: TelegramReceiver;

beforeAll(async () => {
  [redis, slack, discord, teams, telegram] = await Promise.all([startRedis(), startSlackReceiver(), startDiscordReceiver(), startTeamsReceiver(), startTelegramReceiver()]);
});
afterAll(async () => {
  await Promise.all([redis?.close(), slack?.close(), discord?.close(), teams?.close(), telegram?.close()]);
});
afterEach(() => {
  for (const r of [slack, discord, teams, telegram]) r.requests.length = 0;
  slack.posted.length = 0;
  discord.posted.length = 0;
  teams.posted.length = 0;
  teams.failedRuns.length = 0;
  telegram.posted.length = 0;
});

/** Every service's channel, pointed at its documented-contract receiver. */
function channels(): Partial<AlertsConfig> {
  return {
    slack: { url: new Secret(slack.hookUrl) },
    discord: { url: new Secret(discord.hookUrl) },
    teams: { url: new Secret(teams.hookUrl) },
    telegram: { botToken: new Secret(telegram.token), chatId: telegram.chatId, apiUrl: telegram.apiUrl },
  };
}

async function withHarness(alerts: Partial<AlertsConfig>, fn: (h: AlertHarness) => Promise<void>): Promise<void> {
  const h = new AlertHarness(redis, makeConfig({ alerts: { dashboardUrl: DASHBOARD, ...alerts } }), `c${randomUUID().slice(0, 8)}`);
  try {
    h.startWorker();
    await fn(h);
  } finally {
    await h.close();
  }
}

/** sendpulse_alert_notifications_total now. */
async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const v of (await notificationsTotal.get()).values) out[`${v.labels.channel}/${v.labels.outcome}`] = v.value;
  return out;
}
const diff = (a: Record<string, number>, b: Record<string, number>) =>
  Object.fromEntries(Object.entries(b).filter(([k, v]) => v !== (a[k] ?? 0)).map(([k, v]) => [k, v - (a[k] ?? 0)]));

describe('each service gets what its documented contract accepts', () => {
  it('a real balance alert arrives at Slack, Discord, Teams and Telegram, formatted for each', async () => {
    await withHarness(channels(), async (h) => {
      await h.pollOk(balanceReading({ main: 1.5 }));
      await h.settle();
    });
    expect(slack.posted).toHaveLength(1);
    expect(slack.posted[0].text).toBe(`${SUBJECT} (started firing) <${DASHBOARD}|dashboard>`);
    expect(slack.posted[0].blocks?.[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: SUBJECT, emoji: true } });
    expect(JSON.stringify(slack.posted[0].blocks)).toContain('*Value*\\n1.50 USD');

    expect(discord.posted).toHaveLength(1);
    const [embed] = discord.posted[0].embeds ?? [];
    expect(embed).toMatchObject({ title: SUBJECT, description: 'balance 1.50 USD is below 2 USD\nstarted firing', color: 0x992d22, url: DASHBOARD });
    expect(embed.fields).toContainEqual({ name: 'Value', value: '1.50 USD', inline: true });

    expect(teams.failedRuns).toEqual([]);
    expect(teams.posted).toHaveLength(1);
    expect(teams.posted[0]).toMatchObject({ type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: SUBJECT, color: 'Attention' }, {}, { type: 'FactSet' }, {}, {}] });
    expect(teams.posted[0].actions).toEqual([{ type: 'Action.OpenUrl', title: 'Dashboard', url: DASHBOARD }]);

    expect(telegram.posted).toHaveLength(1);
    expect(telegram.posted[0].chatId).toBe(telegram.chatId);
    expect(telegram.posted[0].visible.split('\n').slice(0, 4)).toEqual([`🔴 ${SUBJECT}`, 'started firing', '', 'Account: main']);
    expect(telegram.posted[0].html).toContain(`<a href="${DASHBOARD}">Dashboard</a>`);
  });

  it('test-alert reaches every service and says delivered', async () => {
    const lines: string[] = [];
    expect(await runTestAlert(makeConfig({ alerts: channels() }), (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual(['slack: delivered', 'discord: delivered', 'teams: delivered', 'telegram: delivered']);
    expect([slack.posted.length, discord.posted.length, teams.posted.length, telegram.posted.length]).toEqual([1, 1, 1, 1]);
    expect(telegram.posted[0].visible).toContain('[TEST] main: test notification: alert delivery works');
  });

  it('the generic webhook JSON: Discord refuses it (400, code 50006) once, not retried; Teams takes it (202) and posts nothing', async () => {
    const before = await counts();
    await withHarness({ webhook: { url: new Secret(discord.hookUrl), headers: {} } }, async (h) => {
      await h.pollOk(balanceReading({ main: 1.5 }));
      await h.settle();
    });
    expect(discord.requests).toHaveLength(1);
    expect(discord.posted).toEqual([]);
    expect(diff(before, await counts())).toEqual({ 'webhook/rejected': 1 });

    await withHarness({ webhook: { url: new Secret(teams.hookUrl), headers: {} } }, async (h) => {
      await h.pollOk(balanceReading({ main: 1.5 }));
      await h.settle();
    });
    // What the issue saw: "sent", yet nothing in the channel. The teams channel is the way (above).
    expect(teams.posted).toEqual([]);
    expect(teams.failedRuns).toEqual(['the body is not a message with attachments']);
  });

  it('a 4xx other than 429 is a rejection: one request, counted rejected, and the other channels still get theirs', async () => {
    const before = await counts();
    await withHarness({
      ...channels(),
      slack: { url: new Secret(slack.hookUrl.replace(/[^/]+$/, 'RevokedHook0123456789')) },
      telegram: { botToken: new Secret('987654321:AAWrongTokenWrongTokenWrongToken_x'), chatId: telegram.chatId, apiUrl: telegram.apiUrl },
    }, async (h) => {
      await h.pollOk(balanceReading({ main: 1.5 }));
      await h.settle();
      expect(await h.queue.getJobCounts('completed', 'failed')).toEqual({ completed: 1, failed: 0 });
    });
    expect([slack.requests.length, telegram.requests.length]).toEqual([1, 1]);
    expect([discord.posted.length, teams.posted.length]).toEqual([1, 1]);
    expect(diff(before, await counts())).toEqual({ 'slack/rejected': 1, 'telegram/rejected': 1, 'discord/sent': 1, 'teams/sent': 1 });

    const lines: string[] = [];
    await runTestAlert(makeConfig({ alerts: { slack: { url: new Secret(`${slack.url}/services/T0SPMTEST/B0SPMTEST/Nope012345678`) },
      telegram: { botToken: new Secret('987654321:AAWrongTokenWrongTokenWrongToken_x'), chatId: telegram.chatId, apiUrl: telegram.apiUrl } } }), (l) => lines.push(l));
    expect(lines).toEqual(['slack: rejected (HTTP 404: no_service)', 'telegram: rejected (HTTP 401: Unauthorized)']);
  });

  it('a 5xx is retried until the service takes it, and the message arrives once', async () => {
    slack.script(2, { status: 503, body: 'service unavailable' });
    const before = await counts();
    await withHarness({ slack: channels().slack }, async (h) => {
      await h.pollOk(balanceReading({ main: 1.5 }));
      await h.settle();
    });
    expect(slack.posted).toHaveLength(1);
    expect(diff(before, await counts())).toEqual({ 'slack/failed': 2, 'slack/sent': 1 });
  });

  // Each service's own form of "wait": a float in Discord's JSON, Slack's and Teams' Retry-After header, Telegram's parameters.retry_after.
  it.each([
    ['discord', 1.3, () => discord.rateLimit(1, 1.3), () => discord.requests],
    ['slack', 1, () => slack.rateLimit(1, 1), () => slack.requests],
    ['teams', 1, () => teams.rateLimit(1, 1), () => teams.requests],
    ['telegram', 1, () => telegram.rateLimit(1, 1), () => telegram.requests],
  ] as const)('a 429 from %s is retried after the %s s it asked for, without using an attempt', async (name, seconds, limit, requests) => {
    limit();
    const before = await counts();
    await withHarness({ [name]: channels()[name] }, async (h) => {
      await h.pollOk(balanceReading({ main: 1.5 }));
      await h.settle();
      const [job] = await h.queue.getJobs(['completed']);
      expect(job.data.deferrals).toBe(1);
    });
    const [first, second] = requests();
    // The queue's own back-off is 100 ms here: only the service's wait explains the gap.
    expect(second.at - first.at).toBeGreaterThanOrEqual(seconds * 1000 - 20);
    expect(second.at - first.at).toBeLessThan(seconds * 1000 + 1500);
    expect(diff(before, await counts())).toEqual({ [`${name}/failed`]: 1, [`${name}/sent`]: 1 });
  });

  it('severities and accounts filters: criticals to Telegram, everything to Slack, one account to Discord', async () => {
    const { slack: s, telegram: t, discord: d } = channels();
    await withHarness({ slack: s, telegram: { ...t!, severities: ['critical'] }, discord: { ...d!, accounts: ['other'] } }, async (h) => {
      await h.pollOk(balanceReading({ main: 5 }));
      await h.settle();
      h.clock += 5 * MIN;
      await h.pollOk(balanceReading({ main: 1 }));
      await h.settle();
      h.clock += 5 * MIN;
      await h.pollOk(balanceReading({ main: 50 }));
      await h.settle();
    });
    expect(slack.posted.map((p) => p.blocks?.[0])).toEqual(['[FIRING:warning] main: balance 5.00 USD is below 10 USD',
      SUBJECT.replace('1.50', '1.00'), '[RESOLVED] main: balance 50.00 USD'].map((text) => ({ type: 'header', text: { type: 'plain_text', text, emoji: true } })));
    expect(telegram.posted.map((p) => p.visible.split('\n')[0])).toEqual([`🔴 ${SUBJECT.replace('1.50', '1.00')}`, '✅ [RESOLVED] main: balance 50.00 USD']);
    expect(discord.requests).toEqual([]);
  });
});
