import { numberField } from '../../sendpulse/readings';
import { humanDuration } from '../human-duration';
import { duration } from './levels';
import { twoLevel, type ValueRule } from './rule-def';

/** The series forecast, by service label, with how they are named in texts. */
const SERIES = {
  balance: { field: 'balance.main', words: 'balance' },
  email: { field: 'email.emails_left', words: 'e-mail credits' },
  smtp: { field: 'smtp.email_qty_left', words: 'SMTP credits' },
} as const;

/**
 * `runway`: the time until the balance, the e-mail credits or the SMTP credits reach zero, at the rate
 * seen over `alerts.runwayWindow` (least squares over the kept history), below a threshold.
 */
export const runwayRule: ValueRule = {
  name: 'runway',
  alertnames: { warning: 'SendPulseRunwayShort', critical: 'SendPulseRunwayCritical' },
  kind: 'value',
  doc: {
    fires: 'the time until the balance, the e-mails left or the SMTP e-mails left reach zero, at the rate seen over `alerts.runwayWindow`, is **below**',
    services: '`balance`, `email`, `smtp`', example: '`{ warning: 14d, critical: 3d }`',
  },
  level: duration,
  levelUnit: 'duration',
  direction: 'below',
  endpoint: 'balance',
  watches: Object.values(SERIES).map((s) => s.field),
  history: Object.values(SERIES).map((s) => s.field),
  observe(input) {
    const r = input.state.endpoints.balance.reading;
    return Object.entries(SERIES).map(([service, s]) =>
      twoLevel(this, input, service, numberField(r, s.field) === null ? null : input.runway(s.field), 'duration', { series: s.field }));
  },
  valueText: (v) => (Number.isFinite(v) ? `runs out in ${humanDuration(v)}` : 'is not being used up'),
  headline: (o, severity, vt, tt) =>
    `${SERIES[o.service as keyof typeof SERIES]?.words ?? o.service} ${vt} at the recent rate${severity !== 'ok' ? `, less than ${tt}` : ''}`,
};
