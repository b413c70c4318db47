import type { OperationalRule } from './rule-def';

/** `credentials`: SendPulse rejects the account's credentials (critical at once). On by default. */
export const credentialsRule: OperationalRule = {
  name: 'credentials',
  alertnames: { warning: 'SendPulseCredentialsFailing', critical: 'SendPulseCredentialsFailing' },
  kind: 'operational',
  doc: { fires: 'authentication with SendPulse fails (critical)', services: '`auth`', example: 'on by default (`credentials: false` turns it off)' },
  observe: ({ state }) => [{
    rule: 'credentials', service: 'auth', value: state.auth === 'failing' ? 1 : 0,
    thresholds: { warning: 1, critical: 1 }, direction: 'above', unit: 'flag', currency: null,
  }],
  headline: (o, severity) => (severity !== 'ok' ? 'authentication with SendPulse is failing' : 'authentication with SendPulse works again'),
};
