import { numberField } from '../../sendpulse/readings';
import { emails } from './levels';
import { twoLevel, type ValueRule } from './rule-def';

/** `emailsLeft`: e-mails left on the e-mail tariff below a threshold (SendPulse's `email.emails_left`). */
export const emailsLeftRule: ValueRule = {
  name: 'emailsLeft',
  alertnames: { warning: 'SendPulseEmailsLeftLow', critical: 'SendPulseEmailsLeftCritical' },
  kind: 'value',
  doc: { fires: '`email.emails_left` is **below**', services: '`email`', example: '`{ warning: 1000, critical: 100 }`' },
  level: emails,
  levelUnit: 'count',
  direction: 'below',
  endpoint: 'balance',
  watches: ['email.emails_left'],
  history: ['email.emails_left'],
  observe(input) {
    const r = input.state.endpoints.balance.reading;
    return [twoLevel(this, input, 'email', numberField(r, 'email.emails_left'), 'count', { series: 'email.emails_left' })];
  },
  headline: (o, severity, vt, tt) => (severity !== 'ok' ? `e-mails left ${vt} is below ${tt}` : `e-mails left ${vt}`),
};
