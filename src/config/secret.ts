import { inspect } from 'node:util';

/**
 * A secret value (API key, client secret, SMTP URL with password). It prints as `[redacted]`
 * everywhere (String(), JSON, util.inspect, pino), so passing a config object to a logger or an
 * error message cannot leak it; `reveal()` is the only way to the value.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  /** The real value: call only where it goes on the wire. */
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return '[redacted]';
  }
}
