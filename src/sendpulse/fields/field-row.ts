import type { FieldReader } from './field-readers';

/**
 * One field of a SendPulse answer, described once: where it is, how it is read, and the gauge it
 * feeds. Parsing, `/metrics`, the README's metrics table check and the docs all read these rows
 * (the json_exporter way: a table of fields drives both parsing and rendering), so the next field
 * SendPulse adds is one row in its endpoint's file under src/sendpulse/endpoints/.
 */
export interface FieldRow {
  /**
   * The path in SendPulse's answer (`smtp.email_qty_left`): the key of the value in a Reading, the
   * name in logs and in the `field` label of sendpulse_response_field_errors_total. A value the
   * endpoint's parser computes (team counts) has a path of its own that SendPulse does not send.
   */
  path: string;
  /** How the raw value is read; absent for values the endpoint's parser computes. */
  read?: FieldReader;
  /** Other keys SendPulse has used for the same value in the same section, read when `path` is missing or null. */
  aliases?: readonly string[];
  /** false for personal data (phone): type-checked, never kept. */
  keep?: false;
  /** The gauge this field feeds, if any. */
  metric?: FieldMetric;
  /** What the field is, for people (README, status page). */
  doc: string;
}

/** How a field becomes a sample: `<name>{account="...",<labels>,<labelFields>} <value>`. */
export interface FieldMetric {
  /** The metric family; rows sharing a family share its `help` (checked by a unit test). */
  name: string;
  /** The HELP text, with the unit. */
  help: string;
  /** Constant labels of this row's sample (`kind="main"`, `service="smtp"`). */
  labels?: Readonly<Record<string, string>>;
  /** Labels whose value is another field's text ('' when that field has none). */
  labelFields?: Readonly<Record<string, string>>;
  /** An info metric: the sample is 1 whenever the endpoint has a reading, whatever this field holds. */
  info?: true;
  /** false for a fact of the plan nobody watches over time (no dashboard panel; /metrics and the status page still show it). */
  panel?: false;
}
