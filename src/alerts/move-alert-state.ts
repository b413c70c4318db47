import type { AccountConfig } from '../config/types';
import { HistoryStore } from '../state/history-store';
import { moveHashFields, moveKeys } from '../state/move-keys';
import type { RedisClient } from '../state/redis-connection';
import { AlertStore } from './alert-store';
import { notificationId } from './alert-types';
import { historyFields } from './observe-rules';

/** What moveAlertState moved: whole keys, and lines of the shard-wide hashes. */
export interface MovedAlertState {
  keys: number;
  fields: number;
}

/**
 * Moves what the alerts keep per account from an old shard's prefix (`from`) to the account's shard
 * (`to`: its AlertStore), after `redis.shards` changed: each account's alert states and event log, its
 * history series (runway forecasts, sparklines), and its lines in the ledger, the firing index, the
 * latest-event and first-seen hashes and the outbox (with the channels each queued notification
 * already reached). An alert that already notified is then not notified again as new, and a
 * notification still undelivered is delivered from the new shard (its sweeper enqueues it).
 * Run before the shard's polls start; safe on several replicas at once (moveKeys, moveHashFields).
 */
export async function moveAlertState(
  redis: RedisClient,
  to: AlertStore,
  toHistory: HistoryStore,
  from: string,
  accounts: readonly AccountConfig[],
  windowMs: number,
): Promise<MovedAlertState> {
  if (accounts.length === 0) return { keys: 0, fields: 0 };
  const old = new AlertStore(redis, from);
  const oldHistory = new HistoryStore(redis, from, { windowMs });
  const names = new Set(accounts.map((a) => a.name));
  const ofMoved = (sep: string) => (field: string) => names.has(field.slice(0, field.indexOf(sep)));
  // The ledger first: with it, an alert whose own hash is not there yet is rebuilt as notified, not new.
  const ledger = await moveHashFields(redis, old.ledgerKey, to.ledgerKey, ofMoved('|'));
  let fields = ledger.size;
  const pairs: [string, string][] = [];
  // The channels the latest notification of each alert reached (the status page shows them).
  for (const [field, line] of ledger) {
    const [account, rule, service] = field.split('|');
    let seq: number | undefined;
    try {
      seq = (JSON.parse(line) as { q?: number }).q;
    } catch {
      // An unreadable line has no notification to point at; the line itself moved as it was.
    }
    if (typeof seq === 'number' && seq > 0) {
      const id = notificationId(account, rule, service, seq);
      pairs.push([old.sentKey(id), to.sentKey(id)]);
    }
  }
  for (const [a, b, pick] of [
    [old.firingKey, to.firingKey, ofMoved('|')],
    [old.events.latestKey, to.events.latestKey, ofMoved('|')],
    [old.seenKey, to.seenKey, (f: string) => names.has(f)],
  ] as const) fields += (await moveHashFields(redis, a, b, pick)).size;
  const outbox = await moveHashFields(redis, old.outboxKey, to.outboxKey, ofMoved('.'));
  fields += outbox.size;
  for (const id of outbox.keys()) pairs.push([old.sentKey(id), to.sentKey(id)]);
  for (const a of accounts) {
    pairs.push([old.accountKey(a.name), to.accountKey(a.name)], [old.events.key(a.name), to.events.key(a.name)]);
    for (const series of historyFields(a)) pairs.push([oldHistory.key(a.name, series), toHistory.key(a.name, series)]);
  }
  return { keys: await moveKeys(redis, [...new Map(pairs)]), fields };
}
