import type { Endpoint } from '../src/config/types';
import type { EndpointPoller } from '../src/poller/endpoint-poller';
import { pollBalance } from './poll-balance';
import { pollTeam } from './poll-team';
import { pollUserInfo } from './poll-user-info';

/** Every polled endpoint by its label value; adding an endpoint means adding a module and a line here. */
export const POLLERS: { [E in Endpoint]: EndpointPoller<E> } = {
  user_info: pollUserInfo,
  team: pollTeam,
  balance: pollBalance,
};
