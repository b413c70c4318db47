import type { EndpointPoller } from '../src/poller/endpoint-poller';
import { parseBalance } from '../src/sendpulse/parse-balance';

/** `GET /user/balance/detail`: balances, e-mail credits, subscribers, tariff end dates (read in the account's zone). */
export const pollBalance: EndpointPoller<'balance'> = {
  endpoint: 'balance',
  path: '/user/balance/detail',
  intervalKey: 'balance',
  parse: (body, account) => parseBalance(body, account.timezone),
};
