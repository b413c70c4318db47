import { ENDPOINTS } from '../sendpulse/endpoints';
import type { AccountState, EndpointState } from '../state/reading-store';
import type { EndpointProblem, EndpointStatus } from './status-types';

/** The words for each problem, as the pages show them. */
export const PROBLEM_TEXT: Readonly<Record<EndpointProblem, string>> = {
  not_polled_yet: 'not polled yet',
  credentials: 'SendPulse rejects the credentials',
  rate_limited: 'rate limited by SendPulse (429)',
  sendpulse_error: 'SendPulse answered with an error or an unreadable page',
  network: 'SendPulse could not be reached (timeout or connection)',
  unreadable_fields: 'some fields could not be read',
};

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The problem of one endpoint, or null when its latest poll succeeded and every field read. */
export function endpointProblem(es: EndpointState, auth: AccountState['auth']): EndpointProblem | null {
  if (es.lastAttemptMs === null && es.lastSuccessMs === null) return auth === 'failing' ? 'credentials' : 'not_polled_yet';
  if (!es.ok) {
    if (es.reason === 'auth' || auth === 'failing') return 'credentials';
    if (es.reason === 'rate_limited') return 'rate_limited';
    if (es.reason === 'timeout' || es.reason === 'network') return 'network';
    return 'sendpulse_error';
  }
  return (es.reading?.unreadable.length ?? 0) > 0 ? 'unreadable_fields' : null;
}

/** Every endpoint's polling state, in polling order. */
export function endpointStatuses(state: AccountState): EndpointStatus[] {
  return ENDPOINTS.map((endpoint) => {
    const es = state.endpoints[endpoint];
    const problem = endpointProblem(es, state.auth);
    let problemText = problem === null ? null : PROBLEM_TEXT[problem];
    if (problem === 'unreadable_fields') problemText = `unreadable: ${es.reading!.unreadable.map((u) => u.path).join(', ')}`;
    return {
      endpoint,
      lastSuccess: iso(es.lastSuccessMs),
      lastAttempt: iso(es.lastAttemptMs),
      ok: es.ok,
      problem,
      problemText,
      unreadable: (es.reading?.unreadable ?? []).map((u) => ({ path: u.path, problem: u.problem, since: iso(es.unreadableSince[u.path] ?? null) })),
    };
  });
}
