import { numberField } from '../../sendpulse/readings';
import { emailsOrPercent } from './levels';
import { twoLevel, type ValueRule } from './rule-def';

/**
 * `smtpEmailsLeft`: e-mails left on the SMTP plan (`smtp.email_qty_left`, sent by real accounts though
 * not in the reference's example) below a threshold: a count, or `10%` of the plan (`smtp.email_qty`).
 * For a customer who sends password resets and receipts through SendPulse SMTP, 0 is the outage.
 */
export const smtpEmailsLeftRule: ValueRule = {
  name: 'smtpEmailsLeft',
  alertnames: { warning: 'SendPulseSmtpEmailsLeftLow', critical: 'SendPulseSmtpEmailsLeftCritical' },
  kind: 'value',
  doc: {
    fires: '`smtp.email_qty_left` is **below** (a count, or a percentage of `smtp.email_qty`)',
    services: '`smtp`', example: '`{ warning: 1000, critical: 100 }` or `{ warning: 20%, critical: 5% }`',
  },
  level: emailsOrPercent,
  levelUnit: 'count',
  direction: 'below',
  endpoint: 'balance',
  watches: ['smtp.email_qty_left', 'smtp.email_qty'],
  history: ['smtp.email_qty_left'],
  observe(input) {
    const r = input.state.endpoints.balance.reading;
    return [twoLevel(this, input, 'smtp', numberField(r, 'smtp.email_qty_left'), 'count',
      { limit: numberField(r, 'smtp.email_qty'), series: 'smtp.email_qty_left' })];
  },
  headline: (o, severity, vt, tt) => (severity !== 'ok' ? `SMTP e-mails left ${vt} is below ${tt}` : `SMTP e-mails left ${vt}`),
};
