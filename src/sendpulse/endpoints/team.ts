import { InvalidResponseError } from '../../errors';
import { flag, id, kindOf, personal, type FieldReader } from '../fields/field-readers';
import type { FieldRow } from '../fields/field-row';
import type { FieldProblem, Reading } from '../readings';
import type { EndpointDef } from './endpoint-def';

const TEAM_HELP = 'Invited users of the account, by state (active, inactive). Read from the latest successful background poll of the SendPulse API (not fetched at scrape time).';

/** The counts read from `GET /user/invited-users-list` (computed: SendPulse sends a list of members). */
export const TEAM_FIELDS: readonly FieldRow[] = [
  { path: 'members.active', doc: 'members with access (is_active true, or not said)',
    metric: { name: 'sendpulse_team_members', help: TEAM_HELP, labels: { state: 'active' } } },
  { path: 'members.inactive', doc: 'members marked is_active false',
    metric: { name: 'sendpulse_team_members', help: TEAM_HELP, labels: { state: 'inactive' } } },
];

/** Member fields checked, by the path template problems are reported under; names, e-mails and phones are never kept. */
const MEMBER_CHECKS: [string, FieldReader][] = [
  ['id', id],
  ['group_id', personal(['number', 'string'])],
  ['avatar', personal(['string'])],
  ['phone', personal(['number', 'string'])],
];

/**
 * Counts the members of `GET /user/invited-users-list` by `is_active`. Only a body that is not a list
 * fails the poll. A member whose `is_active` is missing, null or unreadable counts as active: being
 * listed is what gives a member access, and over-counting who has access is the safe side. A member
 * that is not an object at all makes both counts unknown (null): a made-up count would be worse.
 * Problems are reported once per path template (`[].is_active`), never with a value.
 */
export function parseTeam(body: unknown): Reading {
  if (!Array.isArray(body)) {
    throw new InvalidResponseError('team', `body: expected a list of team members, got ${body === undefined ? 'nothing' : kindOf(body)}`);
  }
  const problems = new Map<string, string>();
  let active = 0;
  let inactive = 0;
  let unknown = false;
  for (const entry of body as unknown[]) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.set('[]', `expected an object, got ${kindOf(entry)}`);
      unknown = true;
      continue;
    }
    const member = entry as Record<string, unknown>;
    for (const [key, read] of MEMBER_CHECKS) {
      const raw = member[key];
      if (raw === undefined || raw === null) continue;
      const r = read(raw, { timeZone: 'UTC' });
      if (!r.ok) problems.set(`[].${key}`, r.problem);
    }
    let isActive: boolean | null = null;
    if (member.is_active !== undefined && member.is_active !== null) {
      const r = flag(member.is_active, { timeZone: 'UTC' });
      if (r.ok) isActive = r.value as boolean;
      else problems.set('[].is_active', r.problem);
    }
    if (isActive === false) inactive += 1;
    else active += 1;
  }
  const unreadable: FieldProblem[] = [...problems].map(([path, problem]) => ({ path, problem }));
  return { values: { 'members.active': unknown ? null : active, 'members.inactive': unknown ? null : inactive }, unreadable };
}

/** `GET /user/invited-users-list`: team members, counted by state (no names or e-mails kept). */
export const teamEndpoint: EndpointDef = {
  name: 'team',
  path: '/user/invited-users-list',
  configKey: 'team',
  defaultIntervalMs: 3_600_000,
  doc: 'team members, counted by state',
  fields: TEAM_FIELDS,
  parse: (body) => parseTeam(body),
};
