import type { RedisClient } from '../state/redis-connection';
import type { RuleName, Severity } from './alert-types';

const PUT_UNLESS_SAME = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and cjson.decode(cur).severity == ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

/** What is kept of an alert posted to Alertmanager, so the periodic re-post and the resolution use the same labels and texts. */
export interface PostedAlert {
  account: string;
  rule: RuleName;
  service: string;
  severity: Exclude<Severity, 'ok'>;
  /** When it started firing, ms. */
  startsMs: number;
  annotations: Record<string, string>;
}

/**
 * The alerts the Alertmanager channel keeps alive: one hash, `account|rule|service` → PostedAlert
 * JSON, written by the notification delivery (texts of the latest notification) and by the
 * periodic re-post, shared by every replica. Holds no secret.
 */
export class AlertmanagerStore {
  constructor(private readonly redis: RedisClient, private readonly prefix: string) {}

  /** The hash's key. */
  get key(): string {
    return `${this.prefix}:alerts:alertmanager:posted`;
  }

  /** The field of one alert. */
  static field(account: string, rule: RuleName, service: string): string {
    return `${account}|${rule}|${service}`;
  }

  /** Every kept alert by field. */
  async all(): Promise<Map<string, PostedAlert>> {
    const raw = await this.redis.hgetall(this.key);
    return new Map(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as PostedAlert]));
  }

  /** Keeps (or replaces) an alert. */
  async put(a: PostedAlert): Promise<void> {
    await this.redis.hset(this.key, AlertmanagerStore.field(a.account, a.rule, a.service), JSON.stringify(a));
  }

  /**
   * Keeps an alert unless one at the same severity is kept already (whose texts, written by the
   * notification's delivery meanwhile, are better than the bare ones of the periodic pass).
   */
  async putUnlessKept(a: PostedAlert): Promise<void> {
    await this.redis.eval(PUT_UNLESS_SAME, 1, this.key, AlertmanagerStore.field(a.account, a.rule, a.service), JSON.stringify(a), a.severity);
  }

  /** Forgets alerts (resolved, or no longer to be sent). */
  async remove(fields: readonly string[]): Promise<void> {
    if (fields.length > 0) await this.redis.hdel(this.key, ...fields);
  }
}
