import type { EndpointPoller } from '../src/poller/endpoint-poller';
import { parseUserInfo } from '../src/sendpulse/parse-user-info';

/** `GET /user/info`: account id, currency, country, time zone (personal fields are not kept). */
export const pollUserInfo: EndpointPoller<'user_info'> = {
  endpoint: 'user_info',
  path: '/user/info',
  intervalKey: 'userInfo',
  parse: (body) => parseUserInfo(body),
};
