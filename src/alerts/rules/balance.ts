import { numberField, textField } from '../../sendpulse/readings';
import { money } from './levels';
import { twoLevel, type ValueRule } from './rule-def';

/** `balance`: the main balance, in the account's currency, below a threshold (SendPulse's `balance.main`). */
export const balanceRule: ValueRule = {
  name: 'balance',
  alertnames: { warning: 'SendPulseBalanceLow', critical: 'SendPulseBalanceCritical' },
  kind: 'value',
  doc: { fires: '`balance.main` is **below** the threshold (account currency)', services: '`balance`', example: '`{ warning: 10, critical: 2 }`' },
  level: money,
  levelUnit: 'money',
  direction: 'below',
  endpoint: 'balance',
  watches: ['balance.main'],
  history: ['balance.main'],
  observe(input) {
    const r = input.state.endpoints.balance.reading;
    return [twoLevel(this, input, 'balance', numberField(r, 'balance.main'), 'money',
      { currency: textField(r, 'balance.currency'), series: 'balance.main' })];
  },
  headline: (o, severity, vt, tt) => (severity !== 'ok' ? `balance ${vt} is below ${tt}` : `balance ${vt}`),
};
