import type { AlertEventKind } from '../alerts/alert-history';
import type { FieldValue } from '../sendpulse/fields/field-readers';

/**
 * The status page's data, and the JSON of `/api/v1/` (schema version 1, documented in the README):
 * the HTML pages render exactly these objects. Times are ISO 8601 strings (UTC), amounts are
 * numbers, null means "not known". Nothing personal: no names, e-mails or phones, no secret.
 */

/** An account's worst alert, or `unknown` while no endpoint has had a good poll and nothing fires. */
export type AccountSeverity = 'critical' | 'warning' | 'ok' | 'unknown';

/**
 * Why an endpoint's data is not fresh: `not_polled_yet`; the latest poll failed because of the
 * `credentials`, a 429 (`rate_limited`), a 5xx or an answer that is not what the endpoint sends
 * (`sendpulse_error`), or a timeout / connection problem (`network`); or it succeeded with
 * `unreadable_fields`.
 */
export type EndpointProblem = 'not_polled_yet' | 'credentials' | 'rate_limited' | 'sendpulse_error' | 'network' | 'unreadable_fields';

/** One endpoint's polling state. */
export interface EndpointStatus {
  /** `user_info`, `team`, `balance`. */
  endpoint: string;
  /** The latest good poll, whose values are shown. */
  lastSuccess: string | null;
  /** The latest poll, good or bad. */
  lastAttempt: string | null;
  /** Whether the latest poll succeeded. */
  ok: boolean;
  problem: EndpointProblem | null;
  /** The problem for people ("SendPulse rejects the credentials"). */
  problemText: string | null;
  /** Fields of the latest good answer that could not be read, since when (the kind of problem, never the value). */
  unreadable: { path: string; problem: string; since: string | null }[];
}

/** A firing alert as the overview lists it. */
export interface FiringRef {
  /** The rule (`balance`, `tariffExpiry`, ...), as the `alert` label of sendpulse_alert_firing. */
  rule: string;
  service: string;
  severity: 'warning' | 'critical';
  /** The sentence of its latest notification ("balance 1.50 USD is below 2 USD"); null when not recorded. */
  headline: string | null;
}

/** The forecast of a series: time until zero at the rate seen over the runway window. */
export interface Runway {
  /** `insufficient_history`: fewer than 3 points or less than a quarter of the window; `not_falling`: no end in sight. */
  status: 'insufficient_history' | 'not_falling' | 'falling';
  /** Days until zero when falling (0 when already at or below zero), else null. */
  daysToZero: number | null;
}

/** A kept history series (one value over the runway window) and its forecast. */
export interface Trend {
  /** The field path: `balance.main`, `email.emails_left`, `smtp.email_qty_left`, ... */
  field: string;
  /** What it is, for people. */
  label: string;
  /** [ms epoch, value], oldest first; the overview thins them to at most 40. */
  points: [number, number][];
  runway: Runway;
}

/** One account on the overview (`/api/v1/accounts`). */
export interface AccountSummary {
  name: string;
  /** The account page, relative to the monitor. */
  url: string;
  severity: AccountSeverity;
  /** Its firing alerts, worst first. */
  firing: FiringRef[];
  balance: { main: number | null; bonus: number | null; currency: string | null } | null;
  /** `email.emails_left`. */
  emailsLeft: number | null;
  /** `smtp.email_qty_left`. */
  smtpEmailsLeft: number | null;
  /** The nearest end among the e-mail, SMTP and push tariffs (an end already past included). */
  tariffEnd: { service: string; tariff: string | null; at: string; daysLeft: number } | null;
  /** Team members by state (from `/user/invited-users-list`). */
  team: { active: number | null; inactive: number | null } | null;
  /** True when the credentials fail or the latest poll of some endpoint failed. */
  failing: boolean;
  endpoints: EndpointStatus[];
  /** No request to SendPulse before this time: the pause after a 429 (shared by all replicas). */
  pausedUntil: string | null;
  /** Balance, e-mail credits and SMTP credits over the runway window. */
  trends: Trend[];
}

/** The query of the overview, as parsed (the same parameters for `/` and `/api/v1/accounts`). */
export interface OverviewQuery {
  /** Part of the account name, case-insensitive (`q`). */
  q: string;
  /** Only accounts with a firing alert (`firing=1`). */
  firing: boolean;
  /** Only accounts with a firing alert on this service (`service=smtp`; also matches `smtp.*` field paths), or '' for any. */
  service: string;
  /** `severity` (worst first, the default) or `name`. */
  sort: 'severity' | 'name';
  /** 1-based (`page`). */
  page: number;
  /** Rows per page (`per`, default 50, at most 500). */
  perPage: number;
}

/** `/api/v1/accounts`: one page of the overview. */
export interface OverviewData {
  version: 1;
  generatedAt: string;
  query: OverviewQuery;
  /** Accounts matching the query (all pages). */
  total: number;
  pages: number;
  /** Over all accounts watched, whatever the query. */
  counts: { accounts: number; critical: number; warning: number; firingAlerts: number };
  /** Service labels of the alerts firing now, for the filter. */
  services: string[];
  accounts: AccountSummary[];
}

/** A firing alert with what is known about it (`/api/v1/alerts`, and the account page). */
export interface FiringAlert {
  account: string;
  url: string;
  rule: string;
  /** The Alertmanager alertname of its Helm-chart twin at this severity (`SendPulseBalanceCritical`). */
  alertname: string | null;
  service: string;
  severity: 'warning' | 'critical';
  since: string | null;
  headline: string | null;
  /** The latest notification made for it; `channels` says which channel has it (`sentAt` null: not yet, retried or dropped). */
  lastNotification: {
    at: string | null;
    kind: string | null;
    channels: { channel: string; sentAt: string | null }[];
    /** Still being delivered (in the outbox). */
    pending: boolean;
  };
}

/** `/api/v1/alerts`. */
export interface AlertsData {
  version: 1;
  generatedAt: string;
  /** Firing alerts in all (all pages); they are listed worst first, then by account. */
  total: number;
  page: number;
  pages: number;
  perPage: number;
  alerts: FiringAlert[];
}

/** A field of an endpoint's latest good answer. */
export interface FieldView {
  path: string;
  doc: string;
  /** The value as read (Unix seconds for dates, bytes for traffic); null when SendPulse sent none or it was unreadable. */
  value: FieldValue;
  /** The value for people ("9,914", "2026-06-01 12:00 Europe/Kyiv", "987.5 Mb"). */
  text: string;
  /** The kind of problem when it was unreadable. */
  unreadable: string | null;
}

/** One endpoint on the account page. */
export interface EndpointView {
  status: EndpointStatus;
  /** The API path (`/user/balance/detail`). */
  path: string;
  doc: string;
  /** Seconds between polls: as configured, and as scheduled (stretched to fit the budget). */
  interval: { configured: number; effective: number };
  /** Every value kept from its latest good answer (personal fields are never kept). */
  fields: FieldView[];
}

/** An entry of the alert history. */
export interface AlertEventView {
  at: string;
  kind: AlertEventKind;
  rule: string;
  service: string;
  severity: string;
  headline: string;
  channel: string | null;
  error: string | null;
}

/** `/api/v1/accounts/NAME`. */
export interface AccountDetail {
  version: 1;
  generatedAt: string;
  summary: AccountSummary;
  endpoints: EndpointView[];
  /** Every kept series with all its points. */
  series: Trend[];
  alerts: FiringAlert[];
  /** Newest first (at most 200 kept). */
  history: AlertEventView[];
  budget: {
    /** Requests allowed and counted now in each sliding window, by all replicas. */
    limits: { second: number; minute: number; day: number };
    used: { second: number; minute: number; day: number };
    pausedUntil: string | null;
    /** 429 episodes in a row (each doubles the pause). */
    pauseStreak: number;
    /** 429s this replica saw since it started (each replica counts its own). */
    rateLimitedHere: number;
  };
  plan: { tier: string; status: string; stretchFactor: number | null };
  /** The alert rules in force for the account, with their levels as written. */
  rules: { rule: string; levels: string }[];
}
