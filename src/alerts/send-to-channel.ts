import nodemailer from 'nodemailer';
import { request } from 'undici';
import type { MonitorConfig } from '../config/types';
import type { NotificationRecord } from './alert-types';
import { formatNotification, webhookPayload } from './format-notification';

/** A delivery channel; the `channel` label of sendpulse_alert_notifications_total. */
export type Channel = 'email' | 'webhook';

/** The channels the config sets up, in delivery order. */
export function configuredChannels(config: MonitorConfig): Channel[] {
  const out: Channel[] = [];
  if (config.alerts.email) out.push('email');
  if (config.alerts.webhook) out.push('webhook');
  return out;
}

/** The recipients of an account's mails: alerts.email.to plus the account's own `alerts.to`, once each. */
export function recipientsFor(config: MonitorConfig, account: string): string[] {
  const acct = config.accounts.find((a) => a.name === account);
  return [...new Set([...(config.alerts.email?.to ?? []), ...(acct?.alerts.to ?? [])])];
}

// nodemailer's messages may start with a redundant "Error: ".
function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/^Error: /, '');
}

// Error texts from nodemailer/undici may echo the URL; the URL (with its password or token) and the
// password alone are cut out so they can reach neither logs nor the test-alert output.
function scrub(message: string, secret: string): string {
  let out = message.split(secret).join('[redacted]');
  try {
    const u = new URL(secret);
    if (u.password) out = out.split(decodeURIComponent(u.password)).join('[redacted]').split(u.password).join('[redacted]');
  } catch {
    // not a URL: the whole value was cut out above
  }
  return out;
}

/** Sends one notification through one channel; throws an Error with the SMTP/HTTP problem (secrets cut out). */
export async function sendToChannel(channel: Channel, config: MonitorConfig, r: NotificationRecord, timeoutMs = 15000): Promise<void> {
  if (channel === 'email') {
    const email = config.alerts.email;
    if (!email) throw new Error('email: not configured');
    const to = recipientsFor(config, r.account);
    if (to.length === 0) throw new Error('email: no recipients (alerts.email.to and accounts[].alerts.to are empty)');
    const url = email.smtpUrl.reveal();
    const transport = nodemailer.createTransport(url, { connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs * 2 } as never);
    const m = formatNotification(r, config.alerts.dashboardUrl);
    try {
      await transport.sendMail({ from: email.from, to, subject: m.subject, text: m.text, html: m.html,
        headers: { 'X-SendPulse-Monitor-Notification': r.id } });
    } catch (err) {
      throw new Error(`email: ${scrub(messageOf(err), url)}`);
    } finally {
      transport.close();
    }
    return;
  }
  const hook = config.alerts.webhook;
  if (!hook) throw new Error('webhook: not configured');
  const url = hook.url.reveal();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [k, v] of Object.entries(hook.headers)) headers[k.toLowerCase()] = v.reveal();
  let status: number;
  let body: string;
  try {
    const res = await request(url, { method: 'POST', headers, body: JSON.stringify(webhookPayload(r, config.alerts.dashboardUrl)),
      headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    status = res.statusCode;
    body = await res.body.text();
  } catch (err) {
    throw new Error(`webhook: ${scrub(messageOf(err), url)}`);
  }
  if (status < 200 || status >= 300) throw new Error(`webhook: HTTP ${status}: ${scrub(body.slice(0, 200), url)}`);
}
