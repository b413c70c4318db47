import nodemailer from 'nodemailer';
import { z } from 'zod';
import { field, list, secretFile } from '../../config/schema-fields';
import type { Secret } from '../../config/secret';
import { smtpUrl } from '../../config/smtp-url';
import * as p from '../../config/value-parsers';
import { DeliveryFailedError, DeliveryRejectedError } from '../../errors';
import { formatNotification } from '../format-notification';
import { defineChannel, filterFields, oneOf, pickFilters, type ChannelFilters } from './channel';
import { scrub, secretsOfUrl } from './http-post';
import { smtpErrorHint } from './smtp-error-hint';

/** alerts.email: an SMTP URL (a secret: it carries the password), the sender and the recipients. */
export interface EmailConfig extends ChannelFilters {
  smtpUrl: Secret;
  from: string;
  /** Recipients of every account's mails; accounts[].alerts.to adds more per account. */
  to: string[];
}

declare module '../../config/types' {
  interface ChannelConfigMap {
    email: EmailConfig;
  }
}

// nodemailer's messages may start with a redundant "Error: ".
function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/^Error: /, '');
}

/**
 * E-mail over SMTP (nodemailer): a subject line, a plain-text body and the same as HTML. An SMTP
 * 5xx answer (bad login, refused recipient) is a rejection; 4xx answers and connection problems are
 * retried.
 */
export const email = defineChannel({
  name: 'email',
  schema: (baseDir: string) => z.strictObject({
    // Also refuses a password that needs percent-encoding and a scheme that does not fit the port's TLS mode.
    smtpUrl: field(smtpUrl).optional(),
    smtpUrlFile: secretFile(baseDir, smtpUrl).optional(),
    from: field(p.email),
    to: list(p.email).default([]),
    ...filterFields(),
  }),
  checks(raw, at, add, ctx) {
    if (raw.smtpUrl !== undefined && raw.smtpUrlFile !== undefined) add(at, 'set only one of smtpUrl and smtpUrlFile');
    if (raw.smtpUrl === undefined && raw.smtpUrlFile === undefined) add([...at, 'smtpUrl'], 'is required (or smtpUrlFile, or the environment variable SMTP_URL)');
    const to = Array.isArray(raw.to) ? raw.to : [];
    if (to.length === 0 && ctx.withoutRecipients.length > 0) {
      add([...at, 'to'], `no recipients for ${ctx.withoutRecipients.map((n) => JSON.stringify(n)).join(', ')} (set alerts.email.to or accounts[].alerts.to)`);
    }
  },
  build: (raw): EmailConfig => ({ smtpUrl: oneOf(raw.smtpUrl, raw.smtpUrlFile), from: raw.from, to: raw.to, ...pickFilters(raw) }),
  async send(cfg, r, ctx) {
    const to = ctx.recipients(r.account);
    if (to.length === 0) throw new DeliveryRejectedError('email', 'no recipients (alerts.email.to and accounts[].alerts.to are empty)');
    const url = cfg.smtpUrl.reveal();
    const t = ctx.timeoutMs;
    // Transport options go beside `url` (a second argument would be message defaults); the URL's own
    // query (`?greetingTimeout=...`) still wins, as nodemailer applies it over these.
    const transport = nodemailer.createTransport({ url, connectionTimeout: t, greetingTimeout: t, socketTimeout: t * 2 });
    const m = formatNotification(r, ctx.dashboardUrl);
    try {
      await transport.sendMail({ from: cfg.from, to, subject: m.subject, text: m.text, html: m.html,
        headers: { 'X-SendPulse-Monitor-Notification': r.id } });
    } catch (err) {
      // A TLS mismatch or an untrusted certificate gets one line that says what to change, not OpenSSL's
      // dump; other error texts may echo the URL: the URL and its password are cut out.
      const reason = smtpErrorHint(err, url) ?? scrub(messageOf(err), secretsOfUrl(url));
      const e = err as { responseCode?: number; code?: string };
      // SMTP 5xx is permanent (RFC 5321 4.2.1): a wrong password or a refused recipient stays so.
      const permanent = typeof e.responseCode === 'number' ? e.responseCode >= 500 : e.code === 'EAUTH';
      if (permanent) throw new DeliveryRejectedError('email', reason, e.responseCode);
      throw new DeliveryFailedError('email', reason, { status: e.responseCode });
    } finally {
      transport.close();
    }
  },
});
