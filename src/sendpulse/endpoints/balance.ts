import { count, date, decimal, flag, text, trafficBytes } from '../fields/field-readers';
import type { FieldRow } from '../fields/field-row';
import { readObjectFields } from '../fields/read-object-fields';
import type { EndpointDef } from './endpoint-def';

const FROM_POLLS = 'Read from the latest successful background poll of the SendPulse API (not fetched at scrape time).';
const BALANCE_HELP = `Account balance in its currency, by kind (main, bonus). ${FROM_POLLS}`;
const EXPIRY_HELP = `End of the service's tariff as Unix time (read in the account's configured time zone). ${FROM_POLLS}`;
const RENEW_HELP = `1 when the service's tariff renews automatically. ${FROM_POLLS}`;

/** The tariff rows every service section has; email names its end date `finished_time`, smtp and push `end_date`. */
function tariffRows(service: 'email' | 'smtp' | 'push', endKey: 'finished_time' | 'end_date'): FieldRow[] {
  const otherKey = endKey === 'finished_time' ? 'end_date' : 'finished_time';
  return [
    { path: `${service}.tariff_name`, read: text, doc: `name of the ${service} tariff (a label of the expiry metric)` },
    {
      path: `${service}.${endKey}`, read: date, aliases: [otherKey], doc: `end of the ${service} tariff, read in the account's timezone; "" and 0000-00-00 mean none`,
      metric: { name: 'sendpulse_tariff_expiry_timestamp_seconds', help: EXPIRY_HELP, labels: { service }, labelFields: { tariff: `${service}.tariff_name` } },
    },
    {
      path: `${service}.auto_renew`, read: flag, doc: `whether the ${service} tariff renews itself`,
      metric: { name: 'sendpulse_tariff_auto_renew', help: RENEW_HELP, labels: { service } },
    },
  ];
}

/**
 * The fields of `GET /user/balance/detail`. The reference's example shows balance, email (tariff,
 * `emails_left`, subscribers), smtp and push (tariff, end date, auto renew); real accounts also send
 * `email.is_unique_type` and the SMTP credits and traffic (`email_qty`, `email_qty_left`,
 * `qty_per_hour`, `traffic_limit`, `traffic_limit_left`), the fields public SendPulse clients read.
 */
export const BALANCE_FIELDS: readonly FieldRow[] = [
  { path: 'balance.main', read: decimal, doc: 'main balance, in the account currency',
    metric: { name: 'sendpulse_balance', help: BALANCE_HELP, labels: { kind: 'main' }, labelFields: { currency: 'balance.currency' } } },
  { path: 'balance.bonus', read: decimal, doc: 'bonus balance',
    metric: { name: 'sendpulse_balance', help: BALANCE_HELP, labels: { kind: 'bonus' }, labelFields: { currency: 'balance.currency' } } },
  { path: 'balance.currency', read: text, doc: 'currency of the balance (a label)' },

  ...tariffRows('email', 'finished_time'),
  { path: 'email.emails_left', read: count, doc: 'e-mails left on the e-mail tariff',
    metric: { name: 'sendpulse_emails_left', help: `E-mails left on the e-mail tariff. ${FROM_POLLS}` } },
  { path: 'email.maximum_subscribers', read: count, doc: 'subscriber limit of the e-mail tariff',
    metric: { name: 'sendpulse_email_subscribers_limit', help: `Maximum subscribers of the e-mail tariff. ${FROM_POLLS}` } },
  { path: 'email.current_subscribers', read: count, doc: 'current subscribers of the e-mail service',
    metric: { name: 'sendpulse_email_subscribers', help: `Current subscribers of the e-mail service. ${FROM_POLLS}` } },
  { path: 'email.is_unique_type', read: flag, doc: 'whether the e-mail tariff counts unique subscribers (SendPulse\'s is_unique_type)',
    metric: { name: 'sendpulse_email_tariff_unique_type', help: `1 when the e-mail tariff is of SendPulse's unique type (is_unique_type). ${FROM_POLLS}`, panel: false } },

  ...tariffRows('smtp', 'end_date'),
  { path: 'smtp.email_qty', read: count, doc: 'e-mails in the SMTP plan',
    metric: { name: 'sendpulse_smtp_emails_limit', help: `E-mails in the SMTP plan (email_qty). ${FROM_POLLS}` } },
  { path: 'smtp.email_qty_left', read: count, doc: 'e-mails left on the SMTP plan: when it reaches 0, SMTP sending stops',
    metric: { name: 'sendpulse_smtp_emails_left', help: `E-mails left on the SMTP plan (email_qty_left). ${FROM_POLLS}` } },
  { path: 'smtp.qty_per_hour', read: count, doc: 'SMTP e-mails allowed per hour',
    metric: { name: 'sendpulse_smtp_hourly_limit', help: `SMTP e-mails allowed per hour (qty_per_hour). ${FROM_POLLS}`, panel: false } },
  { path: 'smtp.traffic_limit', read: trafficBytes, doc: 'SMTP traffic in the plan, bytes (from "1000 Mb"; 1 Mb = 2^20 bytes)',
    metric: { name: 'sendpulse_smtp_traffic_limit_bytes', help: `SMTP traffic in the plan, bytes (SendPulse's "1000 Mb" read as binary units: 1 Mb = 1048576 bytes). ${FROM_POLLS}` } },
  { path: 'smtp.traffic_limit_left', read: trafficBytes, doc: 'SMTP traffic left, bytes',
    metric: { name: 'sendpulse_smtp_traffic_left_bytes', help: `SMTP traffic left, bytes (SendPulse's "12.50 Mb" read as binary units: 1 Mb = 1048576 bytes). ${FROM_POLLS}` } },

  ...tariffRows('push', 'end_date'),
];

/** `GET /user/balance/detail`: balances, e-mail and SMTP credits, subscribers, tariff end dates (read in the account's zone). */
export const balanceEndpoint: EndpointDef = {
  name: 'balance',
  path: '/user/balance/detail',
  configKey: 'balance',
  defaultIntervalMs: 5 * 60_000,
  doc: 'balances, e-mail and SMTP credits, subscribers, tariff ends',
  fields: BALANCE_FIELDS,
  parse: (body, ctx) => readObjectFields('balance', BALANCE_FIELDS, body, ctx),
};
