/**
 * What the parsers make of SendPulse's answers. Every value is a finite number, a string, or null
 * when SendPulse left it out; never NaN, never a made-up 0. Timestamps are Unix seconds.
 */

/** `GET /user/info`, without personal data (name, e-mail, phone are read but not kept). */
export interface UserInfoReading {
  id: number;
  currency: string | null;
  country: string | null;
  /** SendPulse's `time_zone` (an offset in hours, as a string) */
  timeZone: string | null;
  locale: string | null;
}

/** `GET /user/invited-users-list`, counted. */
export interface TeamReading {
  active: number;
  inactive: number;
}

export interface TariffSection {
  tariffName: string | null;
  /** End of the tariff as Unix seconds, read in the account's zone. */
  endTime: number | null;
  autoRenew: boolean | null;
}

/** `GET /user/balance/detail`; a section is null when SendPulse left it out (service inactive). */
export interface BalanceReading {
  balance: { main: number | null; bonus: number | null; currency: string | null } | null;
  email:
    | (TariffSection & {
        emailsLeft: number | null;
        maximumSubscribers: number | null;
        currentSubscribers: number | null;
      })
    | null;
  smtp: TariffSection | null;
  push: TariffSection | null;
}

export interface ReadingByEndpoint {
  user_info: UserInfoReading;
  team: TeamReading;
  balance: BalanceReading;
}
