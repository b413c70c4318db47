import { z } from 'zod';
import { field, list, secretFile } from '../../config/schema-fields';
import type { Secret } from '../../config/secret';
import * as p from '../../config/value-parsers';
import type { RedisClient } from '../../state/redis-connection';
import type { NotificationRecord } from '../alert-types';

/**
 * What every notification channel is (the shape of Alertmanager's notify/ integrations): its own
 * config section with its checks, how it renders and sends a notification, and how it classifies a
 * failure. `send` resolves when the service took the message and otherwise throws a
 * DeliveryRejectedError (not worth retrying) or a DeliveryFailedError (retry, after `retryAfterMs`
 * when the service said). Channels are listed once, in ./index.ts.
 */

/** The severities a channel may be limited to. */
export const FILTER_SEVERITIES = ['warning', 'critical'] as const;

/** Limits every channel may carry: absent means every account and severity. */
export interface ChannelFilters {
  /** Only notifications about these severities (a resolution or de-escalation counts with the severity it left). */
  severities?: (typeof FILTER_SEVERITIES)[number][];
  /** Only notifications about these accounts (names from `accounts[].name`). */
  accounts?: string[];
}

/** What a channel's `send` may use besides its own config. */
export interface SendContext {
  /** alerts.dashboardUrl, linked from messages. */
  dashboardUrl?: string;
  /** The e-mail recipients of an account (alerts.email.to plus accounts[].alerts.to). */
  recipients(account: string): string[];
  /** Per request: connect, headers and body, ms. */
  timeoutMs: number;
  now(): number;
  /** Shared state for channels that keep some (Alertmanager's active alerts); absent in `test-alert`. */
  redis?: { client: RedisClient; prefix: string };
}

/** Reports a problem at a key path (config cross-checks). */
export type AddProblem = (path: PropertyKey[], message: string) => void;

/** What the cross-checks know about the rest of the file. */
export interface CheckContext {
  /** Names of the accounts in the file (for the `accounts` filter). */
  accountNames: string[];
  /** Names of the accounts without their own `alerts.to`. */
  withoutRecipients: string[];
}

/** One notification channel; `S` is its config section's schema, `C` the config `build` makes of it. */
export interface ChannelDefinition<S extends z.ZodType = z.ZodType, C extends ChannelFilters = ChannelFilters> {
  /** The key under `alerts:` and the `channel` label of sendpulse_alert_notifications_total. */
  readonly name: string;
  /** The section's schema; relative `...File` paths are read from `baseDir`. */
  schema(baseDir: string): S;
  /** Checks across keys of the section (one of url and urlFile, ...), on the raw tree; problems at key paths under `at`. */
  checks?(raw: Record<string, unknown>, at: PropertyKey[], add: AddProblem, ctx: CheckContext): void;
  /** The channel's config from its validated section. */
  build(raw: z.output<S>): C;
  /** Sends one notification; throws DeliveryRejectedError or DeliveryFailedError, with no secret in the message. */
  send(cfg: C, r: NotificationRecord, ctx: SendContext): Promise<void>;
}

/** Identity, for type inference of a channel file's definition. */
export function defineChannel<S extends z.ZodType, C extends ChannelFilters>(def: ChannelDefinition<S, C>): ChannelDefinition<S, C> {
  return def;
}

/** The `severities` and `accounts` keys of every channel's schema. */
export function filterFields() {
  return {
    severities: list(p.oneOf(FILTER_SEVERITIES)).min(1).optional(),
    accounts: list(p.text()).min(1).optional(),
  };
}

/** The filters set in a validated section, without keys for those left out. */
export function pickFilters(raw: ChannelFilters): ChannelFilters {
  const out: ChannelFilters = {};
  if (raw.severities) out.severities = raw.severities;
  if (raw.accounts) out.accounts = raw.accounts;
  return out;
}

/**
 * Whether a channel's filters let a notification through. A `test` notification always passes; a
 * resolution or de-escalation passes a severity filter through the severity it leaves, so a channel
 * that got "critical" also hears that it is over.
 */
export function accepts(f: ChannelFilters, r: NotificationRecord): boolean {
  return r.kind === 'test' || acceptsAlert(f, r.account, [r.severity, r.previousSeverity]);
}

/** Whether a channel's filters let through an alert of `account` at any of `severities`. */
export function acceptsAlert(f: ChannelFilters, account: string, severities: readonly string[]): boolean {
  if (f.accounts && !f.accounts.includes(account)) return false;
  if (f.severities && !f.severities.some((s) => severities.includes(s))) return false;
  return true;
}

/** `url` or `urlFile` (http/https, a secret: webhook URLs carry their token in the path). */
export function urlFields(baseDir: string) {
  return {
    url: field(p.secretUrl(HTTP_URL)).optional(),
    urlFile: secretFile(baseDir, p.secretUrl(HTTP_URL)).optional(),
  };
}

/** http: and https:. */
export const HTTP_URL = ['http:', 'https:'];

/** Exactly one of two keys (`url` / `urlFile`, `botToken` / `botTokenFile` ...), with a hint for the alternatives. */
export function exactlyOne(raw: Record<string, unknown>, a: string, b: string, at: PropertyKey[], add: AddProblem, also = ''): void {
  if (raw[a] !== undefined && raw[b] !== undefined) add(at, `set only one of ${a} and ${b}`);
  if (raw[a] === undefined && raw[b] === undefined) add([...at, a], `is required (or ${b}${also})`);
}

/** The value of `x` or `xFile` after validation; the cross-checks guarantee one is there. */
export function oneOf(a: Secret | undefined, b: Secret | undefined): Secret {
  const v = a ?? b;
  if (!v) throw new Error('config: a value the cross-field checks guarantee is missing');
  return v;
}

/** Cuts at `max` characters (UTF-16 units), ending with an ellipsis when it had to cut. */
export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}
