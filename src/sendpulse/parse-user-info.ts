import type { UserInfoReading } from './readings';
import { checkKind, invalid, readId, readObject, readString } from './parse-fields';

const ENDPOINT = 'user_info';

/**
 * Returns the reading of `GET /user/info`: id, currency, country, time zone and locale only. Name,
 * e-mail and phone are personal data: they are not kept and never quoted in errors, so they cannot
 * reach a label, a log line or a page (`phone`, documented as a number or a string, is type-checked).
 */
export function parseUserInfo(body: unknown): UserInfoReading {
  const root = readObject(ENDPOINT, '', body);
  if (root === null) return invalid(ENDPOINT, '', `expected an object, got ${body === null ? 'null' : 'nothing'}`);

  checkKind(ENDPOINT, 'phone', root.phone, ['string', 'number']);

  return {
    id: readId(ENDPOINT, 'id', root.id),
    currency: readString(ENDPOINT, 'currency', root.currency),
    country: readString(ENDPOINT, 'country', root.country),
    // The reference sends the UTC offset in hours as a string ("12"); a bare number means the same.
    timeZone: readString(ENDPOINT, 'time_zone', root.time_zone, { numbers: true }),
    locale: readString(ENDPOINT, 'locale', root.locale),
  };
}
