import type { Problem } from './key-path';

/** A config tree made from environment variables, with the variable each key path came from. */
export interface EnvTree {
  tree: Record<string, unknown>;
  /** Formatted key path -> the variable a user set, so problems name what they can fix. */
  aliases: Map<string, string>;
  problems: Problem[];
}

/** The one-account tree of env-only mode, or undefined when no SendPulse credentials are in `env`. */
export function envTree(env: NodeJS.ProcessEnv): EnvTree | undefined {
  // An empty variable counts as unset: `FOO= cmd` and compose files with blank values are common.
  const get = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const apiKey = get('SENDPULSE_API_KEY');
  const clientId = get('SENDPULSE_CLIENT_ID');
  const clientSecret = get('SENDPULSE_CLIENT_SECRET');
  if (!apiKey && !clientId && !clientSecret) return undefined;

  const problems: Problem[] = [];
  const account: Record<string, unknown> = { name: 'default' };
  if (apiKey && (clientId || clientSecret)) {
    problems.push({ path: ['SENDPULSE_API_KEY'], message: 'set either SENDPULSE_API_KEY or SENDPULSE_CLIENT_ID with SENDPULSE_CLIENT_SECRET, not both' });
  }
  if (apiKey) account.apiKey = apiKey;
  else {
    if (!clientId) problems.push({ path: ['SENDPULSE_CLIENT_ID'], message: 'is required with SENDPULSE_CLIENT_SECRET' });
    if (!clientSecret) problems.push({ path: ['SENDPULSE_CLIENT_SECRET'], message: 'is required with SENDPULSE_CLIENT_ID' });
    // Placeholders keep the tree complete so the other variables are still checked in the same run.
    account.clientId = clientId ?? 'missing';
    account.clientSecret = clientSecret ?? 'missing';
  }

  const tree: Record<string, unknown> = { accounts: [account] };
  const aliases = new Map<string, string>([
    ['accounts[0].apiKey', 'SENDPULSE_API_KEY'],
    ['accounts[0].clientId', 'SENDPULSE_CLIENT_ID'],
    ['accounts[0].clientSecret', 'SENDPULSE_CLIENT_SECRET'],
  ]);
  const put = (variable: string, path: string[], value: unknown = get(variable)) => {
    aliases.set(path.join('.'), variable);
    if (value === undefined) return;
    let node = tree;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]] = value;
  };
  put('SENDPULSE_API_URL', ['sendpulse', 'baseUrl']);
  put('REDIS_URL', ['redis', 'url']);
  put('PORT', ['server', 'port']);
  put('LOG_LEVEL', ['logLevel']);
  put('SMTP_URL', ['alerts', 'email', 'smtpUrl']);
  put('ALERT_EMAIL_FROM', ['alerts', 'email', 'from']);
  const to = get('ALERT_EMAIL_TO');
  put('ALERT_EMAIL_TO', ['alerts', 'email', 'to'], to?.split(',').map((s) => s.trim()).filter((s) => s !== ''));
  if (tree.alerts) {
    if (!get('SMTP_URL')) problems.push({ path: ['SMTP_URL'], message: 'is required with ALERT_EMAIL_FROM and ALERT_EMAIL_TO' });
    if (!get('ALERT_EMAIL_FROM')) problems.push({ path: ['ALERT_EMAIL_FROM'], message: 'is required with SMTP_URL' });
    if (!to) problems.push({ path: ['ALERT_EMAIL_TO'], message: 'is required with SMTP_URL (comma-separated addresses)' });
  }
  return { tree, aliases, problems };
}
