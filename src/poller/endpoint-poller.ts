import type { AccountConfig, Endpoint } from '../config/types';
import type { ReadingByEndpoint } from '../sendpulse/readings';

/** One SendPulse endpoint the monitor polls: where it is, how often, how its answer is read. */
export interface EndpointPoller<E extends Endpoint = Endpoint> {
  endpoint: E;
  /** Path under the base URL. */
  path: string;
  /** Which `accounts[].intervals` key sets its schedule. */
  intervalKey: keyof AccountConfig['intervals'];
  /** Turns the decoded body into a reading; throws InvalidResponseError. */
  parse(body: unknown, account: AccountConfig): ReadingByEndpoint[E];
}
