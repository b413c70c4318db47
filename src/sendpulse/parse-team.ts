import type { TeamReading } from './readings';
import { checkKind, invalid, joinPath, kindOf, readFlag, readId, readObject } from './parse-fields';

const ENDPOINT = 'team';

/**
 * Returns the counts of `GET /user/invited-users-list` by `is_active`. The body must be a list of
 * objects. A member whose `is_active` is missing or null counts as active: being listed is what gives
 * a member access, `is_active: false` is the exception SendPulse marks, and over-counting who has
 * access is the safe side to err on. Names, e-mails and phones are never kept or quoted.
 */
export function parseTeam(body: unknown): TeamReading {
  if (!Array.isArray(body)) {
    return invalid(ENDPOINT, '', `expected a list of team members, got ${body === undefined ? 'nothing' : kindOf(body)}`);
  }
  let active = 0;
  let inactive = 0;
  body.forEach((entry: unknown, i) => {
    const path = joinPath('', i);
    const member = readObject(ENDPOINT, path, entry);
    if (member === null) invalid(ENDPOINT, path, 'expected an object, got null');
    // Read but not kept: checked so that a list of something else is not counted as a team.
    readId(ENDPOINT, joinPath(path, 'id'), member.id);
    checkKind(ENDPOINT, joinPath(path, 'group_id'), member.group_id, ['number', 'string']);
    checkKind(ENDPOINT, joinPath(path, 'avatar'), member.avatar, ['string']);
    checkKind(ENDPOINT, joinPath(path, 'phone'), member.phone, ['number', 'string']);
    if (readFlag(ENDPOINT, joinPath(path, 'is_active'), member.is_active) === false) inactive += 1;
    else active += 1;
  });
  return { active, inactive };
}
