import { balanceEndpoint } from './balance';
import type { EndpointDef } from './endpoint-def';
import { teamEndpoint } from './team';
import { userInfoEndpoint } from './user-info';

/**
 * Every polled SendPulse endpoint, by its `endpoint` label value, in polling and display order.
 * Adding an endpoint is one file beside this one and one line here.
 */
export const ENDPOINT_DEFS = {
  user_info: userInfoEndpoint,
  team: teamEndpoint,
  balance: balanceEndpoint,
} as const satisfies Record<string, EndpointDef>;

/** A polled endpoint: the `endpoint` label value. */
export type Endpoint = keyof typeof ENDPOINT_DEFS;

/** Every endpoint, in order. */
export const ENDPOINTS: readonly Endpoint[] = Object.keys(ENDPOINT_DEFS) as Endpoint[];

/** A value per endpoint (intervals, states). */
export type PerEndpoint<T> = { [E in Endpoint]: T };

export type { EndpointDef } from './endpoint-def';
