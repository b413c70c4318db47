import type { PlanTier } from '../config/types';

/** The four SendPulse endpoints the simulator serves, named as in the monitor's metrics. */
export type SimEndpoint = 'oauth_token' | 'user_info' | 'team' | 'balance';
export const SIM_ENDPOINTS: readonly SimEndpoint[] = ['oauth_token', 'user_info', 'team', 'balance'];

/** A JSON value as SendPulse sends it; the simulator serves stored values verbatim. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Quota overrides for one account; anything left out comes from the plan tier. */
export interface SimQuota {
  /** Requests per minute; default by plan: free 1000, standard 2000, enterprise 3000. */
  perMinute?: number;
  /** Requests per day; default by plan: free 500,000, standard 1,000,000, enterprise 3,000,000. */
  perDay?: number;
  /** Requests in any one second before error 2020202020; default 10 (the API's hard limit). */
  perSecond?: number;
  /** Send `Retry-After` (seconds to the end of the window) with a quota 429; default false, as the reference shows none. */
  retryAfterHeader?: boolean;
}

/** One simulated account as given to `addAccount`, the control API or an accounts file. */
export interface SimAccountDef {
  /** The account's name in the control API and the request log. */
  id: string;
  /** A static API key accepted as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** OAuth2 client credentials for `POST /oauth/access_token`. */
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of issued tokens (`expires_in`); default 3600 as the reference says. */
  tokenTtlSeconds?: number;
  /** Quota tier; default `free`. */
  plan?: PlanTier;
  quota?: SimQuota;
  /** `GET /user/info` body; merged over generated realistic values. */
  userInfo?: JsonObject;
  /** `GET /user/invited-users-list` body; default three members as in the reference. */
  team?: Json[];
  /** `GET /user/balance/detail` body, used as given: a section left out is a service that is inactive. */
  balanceDetail?: JsonObject;
}

/** A JSON value in a patch, where `undefined` means "remove this key". */
export type JsonPatch = Json | undefined | { [key: string]: JsonPatch };

/** A partial update: objects are deep-merged, arrays and scalars replaced, `undefined` removes a key. */
export interface SimAccountPatch {
  apiKey?: string;
  clientId?: string;
  clientSecret?: string;
  tokenTtlSeconds?: number;
  plan?: PlanTier;
  quota?: SimQuota;
  userInfo?: { [key: string]: JsonPatch };
  team?: Json[];
  balanceDetail?: { [key: string]: JsonPatch };
}

/** A stored account: the definition with every default filled in. */
export interface SimAccount {
  id: string;
  apiKey?: string;
  clientId?: string;
  clientSecret?: string;
  tokenTtlSeconds: number;
  plan: PlanTier;
  quota: Required<SimQuota>;
  userInfo: JsonObject;
  team: Json[];
  balanceDetail: JsonObject;
}

/** What can go wrong on the wire; see src/simulator/README.md for each kind. */
export type FaultKind =
  | 'http_5xx'
  | 'html'
  | 'truncated'
  | 'wrong_shape'
  | 'slow'
  | 'reset'
  | 'status_429'
  | 'unauthorized';
export const FAULT_KINDS: readonly FaultKind[] = [
  'http_5xx', 'html', 'truncated', 'wrong_shape', 'slow', 'reset', 'status_429', 'unauthorized',
];

/** Named wrong shapes; `body` on the fault overrides them with any JSON. */
export type WrongShape = 'section_as_list' | 'balance_na' | 'object_for_list' | 'list_for_object' | 'string_body';

/** A fault to inject, as given to `setFault` or `POST /_control/faults`. */
export interface FaultSpec {
  kind: FaultKind;
  /** Account id it hits; default every account (and requests from unknown callers). */
  account?: string;
  /** Endpoint it hits; default every endpoint. */
  endpoint?: SimEndpoint;
  /** How many requests it hits before it clears itself; default unlimited. */
  count?: number;
  /** http_5xx: the status (default 502). */
  status?: number;
  /** slow: milliseconds to wait (default 5000). */
  delayMs?: number;
  /** slow: wait before the headers (default) or after the headers and half the body. */
  stage?: 'headers' | 'body';
  /** status_429: the Retry-After header in seconds; none when left out. */
  retryAfterSeconds?: number;
  /** wrong_shape: which wrong shape; default depends on the endpoint. */
  shape?: WrongShape;
  /** http_5xx, html, wrong_shape: the exact body to send instead (a string is sent as is). */
  body?: Json;
}

/** A fault as stored: with its id and how many hits it has left. */
export interface Fault extends FaultSpec {
  id: string;
  /** Hits so far. */
  hits: number;
}

/** One request as the simulator saw it. */
export interface RequestRecord {
  /** Arrival time, ms since the epoch. */
  time: number;
  /** The account the credentials belong to, or null when they match none. */
  account: string | null;
  endpoint: SimEndpoint;
  /** HTTP status answered; 0 when the socket was reset. */
  status: number;
  /** The short id (never the token itself) of the token used or issued. */
  tokenId?: string;
}

/** Which requests `requests()` returns; every field left out matches all. */
export interface RequestFilter {
  account?: string | null;
  endpoint?: SimEndpoint;
  status?: number;
  /** Inclusive lower bound on `time`. */
  since?: number;
  /** Exclusive upper bound on `time`. */
  until?: number;
}

/** Counts that outlive the bounded request log: per endpoint and per status. */
export interface RequestCounts {
  total: number;
  byEndpoint: Partial<Record<SimEndpoint, number>>;
  byStatus: Record<string, number>;
}

export interface SimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port picked by the OS. */
  port?: number;
  /** Default: one account, `demo` (see defaultAccounts()). */
  accounts?: SimAccountDef[];
  /** How many requests the log keeps (oldest dropped first); default 100,000. Counters are kept apart and never dropped. */
  requestLogSize?: number;
  /** Clock in ms; default Date.now. Tests may move time forward. */
  now?: () => number;
}

/** A running simulator; everything here is also reachable over HTTP under `/_control/`. */
export interface Simulator {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Stops listening and drops open connections (slow answers included). */
  close(): Promise<void>;
  /** Adds an account; throws on a duplicate id, API key or client id. */
  addAccount(def: SimAccountDef): SimAccount;
  /** Deep-merges `patch` into the account; returns the result. Throws when the id is unknown. */
  updateAccount(id: string, patch: SimAccountPatch): SimAccount;
  /**
   * Sets one dotted path of the account (`balanceDetail.push.end_date`) to any JSON value, replacing
   * what was there (objects included), creating objects on the way; for odd-field tests.
   */
  setField(id: string, path: string, value: Json): SimAccount;
  /** Removes an account and its tokens; false when there was none. */
  removeAccount(id: string): boolean;
  /** The stored account, or undefined. */
  account(id: string): SimAccount | undefined;
  /** Ids of every account. */
  accountIds(): string[];
  /** Adds a fault; returns it with its id. */
  setFault(fault: FaultSpec): Fault;
  /** Removes one fault by id, or all of them when no id is given. */
  clearFaults(id?: string): void;
  /** Faults in force. */
  faults(): Fault[];
  /** Requests still in the bounded log, oldest first. */
  requests(filter?: RequestFilter): RequestRecord[];
  /** Request counts since start (or the last clearRequests), per account or for all. */
  requestCounts(accountId?: string | null): RequestCounts;
  /** Empties the log and the counters. */
  clearRequests(): void;
  /** Makes every live token of the account (or of all accounts) expire now; returns how many. */
  expireTokens(accountId?: string): number;
  /** Live (unexpired) tokens of the account. */
  tokenCount(accountId: string): number;
}
