import { id, personal, text, textOrNumber } from '../fields/field-readers';
import type { FieldRow } from '../fields/field-row';
import { readObjectFields } from '../fields/read-object-fields';
import type { EndpointDef } from './endpoint-def';

const INFO_HELP = 'Account facts as labels; always 1. Read from the latest successful background poll of the SendPulse API (not fetched at scrape time).';

/**
 * The fields of `GET /user/info` kept: id, currency, country, time zone, locale. Name, e-mail and
 * phone are personal data: never kept, never quoted; `phone` (documented as a number or a string) is
 * type-checked so that an answer of another shape is noticed, and `name`/`email` are not read at all.
 */
export const USER_INFO_FIELDS: readonly FieldRow[] = [
  { path: 'id', read: id, doc: 'SendPulse account id',
    metric: { name: 'sendpulse_account_info', help: INFO_HELP, info: true,
      labelFields: { id: 'id', currency: 'currency', country: 'country', time_zone: 'time_zone' } } },
  { path: 'currency', read: text, doc: 'account currency' },
  { path: 'country', read: text, doc: 'country code' },
  // The reference sends the UTC offset in hours as a string ("12"); a bare number means the same.
  { path: 'time_zone', read: textOrNumber, doc: "SendPulse's time zone setting (an offset in hours)" },
  { path: 'locale', read: text, doc: 'locale' },
  { path: 'phone', read: personal(['string', 'number']), keep: false, doc: 'phone (personal: checked, never kept)' },
];

/** `GET /user/info`: account id, currency, country, time zone (personal fields are not kept). */
export const userInfoEndpoint: EndpointDef = {
  name: 'user_info',
  path: '/user/info',
  configKey: 'userInfo',
  defaultIntervalMs: 3_600_000,
  doc: 'account id, currency, country, time zone',
  fields: USER_INFO_FIELDS,
  parse: (body, ctx) => readObjectFields('user_info', USER_INFO_FIELDS, body, ctx),
};
