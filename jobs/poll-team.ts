import type { EndpointPoller } from '../src/poller/endpoint-poller';
import { parseTeam } from '../src/sendpulse/parse-team';

/** `GET /user/invited-users-list`: team members, counted by state (no names or e-mails kept). */
export const pollTeam: EndpointPoller<'team'> = {
  endpoint: 'team',
  path: '/user/invited-users-list',
  intervalKey: 'team',
  parse: (body) => parseTeam(body),
};
