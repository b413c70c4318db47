import type { ReadContext } from '../fields/field-readers';
import type { FieldRow } from '../fields/field-row';
import type { Reading } from '../readings';

/**
 * One SendPulse endpoint the monitor polls, described once: where it is, its interval key in the
 * config, its fields, and how its answer is read. The index (./index.ts) lists them; the scheduler,
 * the poll job, `check`, the metrics and the docs all iterate that list.
 */
export interface EndpointDef {
  /** The `endpoint` label value. */
  name: string;
  /** Path under the API base URL. */
  path: string;
  /** Its key under `accounts[].intervals` in the config file. */
  configKey: string;
  /** The default poll interval, ms. */
  defaultIntervalMs: number;
  /** What the endpoint tells, for people. */
  doc: string;
  /** Its fields (values read, and those computed from the answer). */
  fields: readonly FieldRow[];
  /** The reading of a decoded JSON body; throws InvalidResponseError only when the body as a whole is not what the endpoint answers. */
  parse(body: unknown, ctx: ReadContext): Reading;
}
