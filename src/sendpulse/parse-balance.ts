import type { BalanceReading, TariffSection } from './readings';
import { invalid, joinPath, readCount, readDate, readDecimal, readFlag, readObject, readString, type JsonObject } from './parse-fields';

const ENDPOINT = 'balance';

/**
 * The tariff fields every service section shares. The reference names the email end date
 * `finished_time` and the smtp/push one `end_date`; each section falls back to the other name so a
 * renamed field is read rather than silently dropped (the documented name wins when both are there).
 */
function tariff(section: JsonObject, path: string, endKey: 'finished_time' | 'end_date', timeZone: string): TariffSection {
  const otherKey = endKey === 'finished_time' ? 'end_date' : 'finished_time';
  const useKey = section[endKey] !== undefined && section[endKey] !== null ? endKey : otherKey;
  return {
    tariffName: readString(ENDPOINT, joinPath(path, 'tariff_name'), section.tariff_name),
    endTime: readDate(ENDPOINT, joinPath(path, useKey), section[useKey], timeZone),
    autoRenew: readFlag(ENDPOINT, joinPath(path, 'auto_renew'), section.auto_renew),
  };
}

/**
 * Returns the reading of `GET /user/balance/detail`, dates read in the IANA zone `timeZone`. A
 * missing or null section is null (SendPulse leaves out the services that are inactive), a missing
 * field is null, extra fields are ignored; anything that does not fit throws InvalidResponseError.
 */
export function parseBalance(body: unknown, timeZone: string): BalanceReading {
  const root = readObject(ENDPOINT, '', body);
  if (root === null) return invalid(ENDPOINT, '', `expected an object, got ${body === null ? 'null' : 'nothing'}`);

  const money = readObject(ENDPOINT, 'balance', root.balance);
  const email = readObject(ENDPOINT, 'email', root.email);
  const smtp = readObject(ENDPOINT, 'smtp', root.smtp);
  const push = readObject(ENDPOINT, 'push', root.push);

  return {
    balance:
      money === null
        ? null
        : {
            main: readDecimal(ENDPOINT, 'balance.main', money.main),
            bonus: readDecimal(ENDPOINT, 'balance.bonus', money.bonus),
            currency: readString(ENDPOINT, 'balance.currency', money.currency),
          },
    email:
      email === null
        ? null
        : {
            ...tariff(email, 'email', 'finished_time', timeZone),
            emailsLeft: readCount(ENDPOINT, 'email.emails_left', email.emails_left),
            maximumSubscribers: readCount(ENDPOINT, 'email.maximum_subscribers', email.maximum_subscribers),
            currentSubscribers: readCount(ENDPOINT, 'email.current_subscribers', email.current_subscribers),
          },
    smtp: smtp === null ? null : tariff(smtp, 'smtp', 'end_date', timeZone),
    push: push === null ? null : tariff(push, 'push', 'end_date', timeZone),
  };
}
