/**
 * The vocabulary shared by the alert modules: rule names, severities, the stored state of one alert
 * and the notification record that travels from a transition to the delivery job.
 */

/** A rule's name (src/alerts/rules/index.ts lists them); the `alert` label of sendpulse_alert_firing. */
export type RuleName = string;

/** `ok` is "not firing". */
export type Severity = 'ok' | 'warning' | 'critical';

/** Why a notification was sent; `test` is the `test-alert` command's. */
export type NotificationKind = 'firing' | 'escalated' | 'deescalated' | 'reminder' | 'resolved' | 'test';

/** One (account, rule, service) alert's state as kept in Redis. */
export interface AlertState {
  severity: Severity;
  /** When the alert started firing (ms epoch), null while ok. */
  sinceMs: number | null;
  /** When the last notification for it was created, null before any. */
  lastNotifiedMs: number | null;
  /** Transition sequence: bumped by every transition that notifies; part of the notification id. */
  seq: number;
  /** The severity the last polls pointed at while not yet confirmed by `pendingPolls` polls in a row. */
  pendingSeverity: Severity | null;
  pendingCount: number;
  /** The poll (lastSuccessMs of the reading) last counted, so one poll never counts twice. */
  lastPollMs: number | null;
}

/** The state of an alert that never fired. */
export const INITIAL_ALERT_STATE: AlertState = {
  severity: 'ok', sinceMs: null, lastNotifiedMs: null, seq: 0, pendingSeverity: null, pendingCount: 0, lastPollMs: null,
};

/** A point of history shown in a notification ("recent readings"). */
export interface HistoryPoint {
  atMs: number;
  value: number;
}

/** What a notification says; stored in the Redis outbox until every channel has it or it is dropped. */
export interface NotificationRecord {
  /** `account.rule.service.seq`: deterministic, also the BullMQ jobId. */
  id: string;
  kind: NotificationKind;
  account: string;
  rule: RuleName;
  service: string;
  severity: Severity;
  /** The severity before this transition. */
  previousSeverity: Severity;
  value: number | null;
  /** The threshold crossed (or, for resolved, the one the value came back over). */
  threshold: number | null;
  /** Human texts: "1.50 USD", "2 USD", and the subject's sentence "balance 1.50 USD is below 2 USD". */
  valueText: string;
  thresholdText: string;
  headline: string;
  /** When the alert started firing. */
  sinceMs: number | null;
  createdMs: number;
  /** Time left until the balance / e-mails run out at the recent rate, when known. */
  runwayMs: number | null;
  recent: HistoryPoint[];
  /** The account's status page (`server.publicUrl` + `/accounts/NAME`) when publicUrl is set; absent in records made before 0.2. */
  accountUrl?: string | null;
}

/**
 * The Redis field / BullMQ jobId of a notification. Account names and rule names never contain `.`,
 * so the id is unique even for services that do (the `unreadable` rule's field paths).
 */
export function notificationId(account: string, rule: RuleName, service: string, seq: number): string {
  return `${alertOf({ account, rule, service })}.${seq}`;
}

/** The alert a notification belongs to, `account.rule.service`: its id without the seq. */
export function alertOf(n: { account: string; rule: RuleName; service: string }): string {
  return `${n.account}.${n.rule}.${n.service}`;
}
