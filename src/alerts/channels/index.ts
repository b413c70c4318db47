import type { ChannelConfigMap } from '../../config/types';
import type { NotificationRecord } from '../alert-types';
import { alertmanager } from './alertmanager';
import { accepts, type ChannelDefinition, type SendContext } from './channel';
import { discord } from './discord';
import { email } from './email';
import { slack } from './slack';
import { teams } from './teams';
import { telegram } from './telegram';
import { webhook } from './webhook';

/**
 * Every notification channel, in delivery order: the config schema (`alerts.<name>`), the
 * `Channel` type, delivery and `test-alert` all read this list. A new channel is one file here,
 * one line below, its tests and its README section.
 */
export const CHANNELS = { email, webhook, slack, discord, teams, telegram, alertmanager } as const;

/** A channel's name: its key under `alerts:` and the `channel` label of sendpulse_alert_notifications_total. */
export type Channel = keyof typeof CHANNELS;

/** Every channel name, in delivery order. */
export const CHANNEL_NAMES = Object.keys(CHANNELS) as Channel[];

/** The config of each channel as its `build` makes it (alerts.email, alerts.webhook, ...). */
export type ChannelConfigs = { [K in Channel]: ReturnType<(typeof CHANNELS)[K]['build']> };

// Every channel in the list declares its config in config/types' ChannelConfigMap, and no other does.
const sameChannels: [keyof ChannelConfigMap] extends [Channel] ? ([Channel] extends [keyof ChannelConfigMap] ? true : never) : never = true;
void sameChannels;

/** The channels the config sets up, in delivery order. */
export function configuredChannels(alerts: Partial<ChannelConfigs>): Channel[] {
  return CHANNEL_NAMES.filter((c) => alerts[c] !== undefined);
}

/** The configured channels whose filters (`severities`, `accounts`) let this notification through. */
export function channelsFor(alerts: Partial<ChannelConfigs>, r: NotificationRecord): Channel[] {
  return configuredChannels(alerts).filter((c) => accepts(alerts[c]!, r));
}

/** Sends one notification through one configured channel; throws DeliveryRejectedError or DeliveryFailedError. */
export async function sendThrough(channel: Channel, alerts: Partial<ChannelConfigs>, r: NotificationRecord, ctx: SendContext): Promise<void> {
  const cfg = alerts[channel];
  if (cfg === undefined) throw new Error(`${channel}: not configured`);
  await (CHANNELS[channel] as unknown as ChannelDefinition).send(cfg, r, ctx);
}
