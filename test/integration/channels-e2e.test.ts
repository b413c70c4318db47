import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { startAlertmanager, type TestAlertmanager } from '../helpers/alertmanager';
import { sampleValue, scrape } from '../helpers/metrics-text';
import { killAll, spawnCli, startMonitorEnv, type CliProcess, type MonitorEnv } from '../helpers/monitor-env';
import { startDiscordReceiver, type DiscordReceiver } from '../helpers/receivers/discord-receiver';
import { startSlackReceiver, type SlackReceiver } from '../helpers/receivers/slack-receiver';
import { startTeamsReceiver, type TeamsReceiver } from '../helpers/receivers/teams-receiver';
import { startTelegramReceiver, type TelegramReceiver } from '../helpers/receivers/telegram-receiver';
import { waitFor } from '../helpers/wait-for';

const FIRING = '[FIRING:critical] main: balance 1.50 USD is below 2 USD';
const RESOLVED = '[RESOLVED] main: balance 50.00 USD';

/** The product path: simulator → `run` → alert → every channel's documented-contract receiver and a real Alertmanager. */
describe('a balance alert through the running monitor to every channel', () => {
  let env: MonitorEnv;
  let am: TestAlertmanager;
  let slack: SlackReceiver;
  let discord: DiscordReceiver;
  let teams: TeamsReceiver;
  let telegram: TelegramReceiver;
  const procs: CliProcess[] = [];

  beforeAll(async () => {
    [env, am, slack, discord, teams, telegram] = await Promise.all([
      startMonitorEnv([{ id: 'main', apiKey: 'key-main', userInfo: sampleUserInfo(9, 'A B'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(Date.now(), '50.00') }]),
      startAlertmanager(), startSlackReceiver(), startDiscordReceiver(), startTeamsReceiver(), startTelegramReceiver(),
    ]);
  }, 30_000);
  afterAll(async () => {
    await killAll(procs);
    await Promise.all([env?.close(), am?.close(), slack?.close(), discord?.close(), teams?.close(), telegram?.close()]);
  });

  it('arrives formatted at Slack, Discord, Teams, Telegram and Alertmanager, resolves there too, and test-alert says delivered for each', async () => {
    const file = env.writeConfig(`
  - name: main
    apiKey: key-main
    intervals: { balance: 1s, userInfo: 1h, team: 1h }
    budget: { perMinute: 600, perDay: 200000, perSecond: 10 }`, `
alerts:
  staleAfter: 10
  rules: { balance: { warning: 10, critical: 2 } }
  slack: { url: "${slack.hookUrl}" }
  discord: { url: "${discord.hookUrl}" }
  teams: { url: "${teams.hookUrl}" }
  telegram: { botToken: "${telegram.token}", chatId: ${telegram.chatId}, apiUrl: "${telegram.apiUrl}" }
  alertmanager: { urls: ["${am.url}"], resendInterval: 2s, labels: { team: billing } }`);
    const p = spawnCli(['run', '--config', file]);
    procs.push(p);
    const url = await p.url();
    await waitFor('a first good poll', async () => sampleValue(await scrape(url), 'sendpulse_balance', { account: 'main', kind: 'main' }) === 50, 20_000);

    env.sim.updateAccount('main', { balanceDetail: { balance: { main: '1.50' } } });
    await waitFor('the alert at every receiver', () => [slack, discord, teams, telegram].every((r) => r.posted.length >= 1), 20_000);
    await waitFor('the alert in Alertmanager', async () => (await am.alerts()).some((a) => a.labels.alertname === 'SendPulseBalanceCritical'));
    expect(slack.posted[0].text).toBe(`${FIRING} (started firing)`);
    expect(discord.posted[0].embeds?.[0].title).toBe(FIRING);
    expect((teams.posted[0].body as { text?: string }[])[0].text).toBe(FIRING);
    expect(teams.failedRuns).toEqual([]);
    expect(telegram.posted[0].visible.split('\n')[0]).toBe(`🔴 ${FIRING}`);
    const [alert] = (await am.alerts()).filter((a) => a.labels.sendpulse_rule === 'balance');
    expect(alert.labels).toEqual({ alertname: 'SendPulseBalanceCritical', sendpulse_rule: 'balance', account: 'main', service: 'balance', severity: 'critical', team: 'billing' });
    expect(alert.annotations.summary).toBe('SendPulse account main: balance 1.50 USD is below 2 USD');
    const m = await scrape(url);
    for (const channel of ['slack', 'discord', 'teams', 'telegram', 'alertmanager']) {
      expect({ channel, sent: sampleValue(m, 'sendpulse_alert_notifications_total', { channel, outcome: 'sent' }) }).toEqual({ channel, sent: 1 });
    }

    env.sim.updateAccount('main', { balanceDetail: { balance: { main: '50.00' } } });
    await waitFor('the resolution at every receiver', () => [slack, discord, teams, telegram].every((r) => r.posted.length >= 2), 20_000);
    await waitFor('the alert resolved in Alertmanager', async () => !(await am.alerts()).some((a) => a.labels.sendpulse_rule === 'balance'), 10_000);
    expect(slack.posted[1].text).toBe(`${RESOLVED} (resolved)`);
    expect(telegram.posted[1].visible.split('\n')[0]).toBe(`✅ ${RESOLVED}`);

    const t = spawnCli(['test-alert', '--config', file]);
    procs.push(t);
    expect(await t.exited).toBe(0);
    expect(t.output().trim().split('\n').filter((l) => !l.startsWith('{'))).toEqual(
      ['slack: delivered', 'discord: delivered', 'teams: delivered', 'telegram: delivered', 'alertmanager: delivered']);
    const one = spawnCli(['test-alert', '--config', file, '--channel', 'telegram']);
    procs.push(one);
    expect(await one.exited).toBe(0);
    expect(one.output().trim().split('\n').filter((l) => !l.startsWith('{'))).toEqual(['telegram: delivered']);
    const bad = spawnCli(['test-alert', '--config', file, '--channel', 'pager']);
    procs.push(bad);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('no channel named "pager" (configured: slack, discord, teams, telegram, alertmanager)');
  }, 90_000);
});
