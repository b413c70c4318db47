import { isPlainObject } from './deep-merge';
import { FAULT_KINDS, SIM_ENDPOINTS, type Fault, type FaultKind, type FaultSpec } from './types';

const SHAPES = ['section_as_list', 'balance_na', 'object_for_list', 'list_for_object', 'string_body'];

/** Faults that answer in place of the API, before credentials or quota are looked at (a proxy in front). */
export const PRE_FAULTS: ReadonlySet<FaultKind> = new Set(['http_5xx', 'html', 'reset', 'status_429', 'unauthorized']);
/** Faults that spoil the body of what would have been a 200. */
export const POST_FAULTS: ReadonlySet<FaultKind> = new Set(['truncated', 'wrong_shape']);

/** One line per problem in a fault spec; empty when it can be used. */
export function faultSpecProblems(spec: unknown): string[] {
  if (!isPlainObject(spec)) return ['fault: must be an object'];
  const p: string[] = [];
  if (!FAULT_KINDS.includes(spec.kind as FaultKind)) p.push(`fault.kind: must be one of ${FAULT_KINDS.join(', ')}`);
  if (spec.account !== undefined && (typeof spec.account !== 'string' || spec.account === '')) p.push('fault.account: must be an account id');
  if (spec.endpoint !== undefined && !SIM_ENDPOINTS.includes(spec.endpoint as never)) p.push(`fault.endpoint: must be one of ${SIM_ENDPOINTS.join(', ')}`);
  const whole = (key: string, min: number, max = Infinity) => {
    const v = spec[key];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= min && (v as number) <= max)) {
      p.push(`fault.${key}: must be a whole number from ${min}${max === Infinity ? '' : ` to ${max}`}`);
    }
  };
  whole('count', 1);
  whole('status', 500, 599);
  whole('delayMs', 0);
  whole('retryAfterSeconds', 0);
  if (spec.stage !== undefined && spec.stage !== 'headers' && spec.stage !== 'body') p.push('fault.stage: must be headers or body');
  if (spec.shape !== undefined && !SHAPES.includes(spec.shape as string)) p.push(`fault.shape: must be one of ${SHAPES.join(', ')}`);
  return p;
}

/** The faults that apply to one request: at most one of each stage. */
export interface MatchedFaults {
  slow?: Fault;
  pre?: Fault;
  post?: Fault;
}

/**
 * Faults in force, indexed by account ('*' for all) so a request looks only at its own account's
 * few faults and the global ones. A fault with a `count` removes itself after that many hits.
 */
export class FaultTable {
  readonly #byAccount = new Map<string, Fault[]>();
  #seq = 0;

  /** Adds a fault; throws with every problem when the spec is invalid. */
  add(spec: FaultSpec): Fault {
    const problems = faultSpecProblems(spec);
    if (problems.length > 0) throw new Error(problems.join('; '));
    const fault: Fault = { ...structuredClone(spec), id: `f${++this.#seq}`, hits: 0 };
    const key = spec.account ?? '*';
    const list = this.#byAccount.get(key) ?? [];
    list.push(fault);
    this.#byAccount.set(key, list);
    return fault;
  }

  /** Removes one fault, or every fault when `id` is undefined; false when the id was unknown. */
  clear(id?: string): boolean {
    if (id === undefined) {
      this.#byAccount.clear();
      return true;
    }
    for (const [key, list] of this.#byAccount) {
      const i = list.findIndex((f) => f.id === id);
      if (i >= 0) {
        list.splice(i, 1);
        if (list.length === 0) this.#byAccount.delete(key);
        return true;
      }
    }
    return false;
  }

  list(): Fault[] {
    return [...this.#byAccount.values()].flat().map((f) => structuredClone(f));
  }

  /** The faults for this request, account-specific ones first; nothing is used up until `hit`. */
  match(account: string | null, endpoint: string): MatchedFaults {
    const m: MatchedFaults = {};
    if (this.#byAccount.size === 0) return m;
    const lists = [account === null ? undefined : this.#byAccount.get(account), this.#byAccount.get('*')];
    for (const list of lists) {
      for (const f of list ?? []) {
        if (f.endpoint !== undefined && f.endpoint !== endpoint) continue;
        if (f.kind === 'slow') m.slow ??= f;
        else if (PRE_FAULTS.has(f.kind)) m.pre ??= f;
        else m.post ??= f;
      }
    }
    return m;
  }

  /** Counts one hit of the fault and removes it when its count is spent. */
  hit(fault: Fault): void {
    fault.hits++;
    if (fault.count !== undefined && fault.hits >= fault.count) this.clear(fault.id);
  }
}
