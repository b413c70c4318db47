import { numberField } from '../../sendpulse/readings';
import { fraction } from './levels';
import { twoLevel, type ValueRule } from './rule-def';

/** `subscribers`: `current_subscribers / maximum_subscribers` of the e-mail tariff at or above a fraction. */
export const subscribersRule: ValueRule = {
  name: 'subscribers',
  alertnames: { warning: 'SendPulseSubscribersNearLimit', critical: 'SendPulseSubscribersCritical' },
  kind: 'value',
  doc: { fires: '`current_subscribers / maximum_subscribers` is **at or above**', services: '`email`', example: '`{ warning: 0.9, critical: 0.98 }`' },
  level: fraction,
  levelUnit: 'ratio',
  direction: 'above',
  endpoint: 'balance',
  watches: ['email.current_subscribers', 'email.maximum_subscribers'],
  history: ['email.current_subscribers'],
  observe(input) {
    const r = input.state.endpoints.balance.reading;
    const cur = numberField(r, 'email.current_subscribers');
    const max = numberField(r, 'email.maximum_subscribers');
    return [twoLevel(this, input, 'email', cur !== null && max !== null && max > 0 ? cur / max : null, 'ratio')];
  },
  headline: (o, severity, vt, tt) => (severity !== 'ok' ? `subscribers at ${vt} of the limit, at or above ${tt}` : `subscribers at ${vt} of the limit`),
};
