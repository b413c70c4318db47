/**
 * Every command's options, environment variables, exit codes and example: the one index that the
 * argument parser (parse-command-line.ts), `--help` and the top-level usage read. Pure data, so
 * `sendpulse-monitor --help` loads no command module.
 */

/** One option: its node:util parseArgs type and short letter, plus what `--help` says about it. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** The value's placeholder in help (`FILE`, `N`); string options only. */
  value?: string;
  help: string;
}

/** A command's command line and help. */
export interface CommandSpec {
  summary: string;
  /** The synopsis after `sendpulse-monitor <command> `. */
  synopsis: string;
  /** Paragraph lines printed under the usage line in `--help`. */
  description: string[];
  options: Record<string, OptionSpec>;
  env: [name: string, meaning: string][];
  exitCodes: [code: string, meaning: string][];
  examples: string[];
  /**
   * A monitoring plugin (`check`): a usage mistake prints `SENDPULSE UNKNOWN - ...` first and exits 3,
   * as the monitoring-plugins guidelines ask for invalid arguments; every other command exits 2.
   */
  plugin?: boolean;
}

/** The command names, in the order `--help` lists them. */
export type CommandName = 'run' | 'demo' | 'check' | 'validate' | 'plan' | 'simulate' | 'test-alert';

const CONFIG: OptionSpec = {
  type: 'string', short: 'c', value: 'FILE',
  help: 'the YAML configuration (default: $SENDPULSE_MONITOR_CONFIG; neither: one account from the environment)',
};
const HELP: OptionSpec = { type: 'boolean', short: 'h', help: 'print this help and exit 0' };

const CONFIG_ENV: [string, string][] = [
  ['SENDPULSE_MONITOR_CONFIG', 'the configuration file when --config is not given'],
  ['SENDPULSE_API_KEY', 'without a file: the API key of one account named "default"'],
  ['SENDPULSE_CLIENT_ID, SENDPULSE_CLIENT_SECRET', 'without a file: OAuth client credentials instead of the key'],
  ['SENDPULSE_API_URL', 'without a file: the API base URL (default https://api.sendpulse.com)'],
];
const REDIS_ENV: [string, string] = ['REDIS_URL', 'without a file: redis:// or rediss:// URL (default redis://127.0.0.1:6379)'];
const EMAIL_ENV: [string, string][] = [
  ['SMTP_URL', 'the SMTP server for alert e-mails (also fills alerts.email.smtpUrl when a file leaves it out)'],
  ['ALERT_EMAIL_FROM', 'without a file: the sender of alert e-mails (with SMTP_URL)'],
  ['ALERT_EMAIL_TO', 'without a file: comma-separated recipients of alert e-mails (with SMTP_URL)'],
];
const LOG_ENV: [string, string] = ['LOG_LEVEL', 'debug | info | warn | error (JSON lines on stderr; default info)'];
const CONFIG_BAD: [string, string] = ['1', 'the configuration has problems (one line each on stderr, naming the key)'];
const USAGE_BAD: [string, string] = ['2', 'an unknown option or a stray argument (with the usage)'];

/** The specs of every command. */
export const COMMAND_SPECS: Record<CommandName, CommandSpec> = {
  run: {
    summary: 'run the worker and serve /metrics (the default in the container)',
    synopsis: '[--config FILE]',
    description: [
      'Polls every account on its schedule (BullMQ on Redis), serves /metrics, /healthz, /readyz and /,',
      'and sends alert notifications. Logs at start which alert rules are active per account.',
      'SIGTERM or SIGINT finish the polls in flight and exit 0 within 10 s, whatever Redis is doing.',
      'Redis down or refusing the password: /healthz answers, /readyz says why, polling starts when it answers.',
    ],
    options: { config: CONFIG, help: HELP },
    env: [...CONFIG_ENV, REDIS_ENV, ['PORT', 'without a file: the HTTP port (default 9464)'], ...EMAIL_ENV, LOG_ENV],
    exitCodes: [['0', 'stopped by SIGTERM or SIGINT'],
      ['1', 'the configuration has problems (one line each, naming the key), the port cannot be listened on, or Redis may evict keys (see redis.allowEviction)'], USAGE_BAD],
    examples: ['sendpulse-monitor run --config /etc/sendpulse-monitor/config.yaml'],
  },
  demo: {
    summary: 'run everything locally: private redis-server, the simulator, the worker, a mail catcher',
    synopsis: '[--port N] [--drop-after DURATION]',
    description: [
      'Starts a private redis-server (unless REDIS_URL is set), the SendPulse simulator with two accounts,',
      'the worker with alert rules on, and a mail catcher that prints every alert e-mail here and keeps',
      'it as an .eml file. Ctrl-C stops and removes all of it.',
    ],
    options: {
      port: { type: 'string', value: 'N', help: 'the metrics and status page port (default $PORT, else 9464; 0: a free one)' },
      'drop-after': { type: 'string', value: 'DURATION', help: 'when the "demo" balance drops to 1.50 USD (default 30s)' },
      help: HELP,
    },
    env: [['REDIS_URL', 'use this Redis instead of starting a private redis-server'], ['PORT', 'as --port'],
      ['LOG_LEVEL', 'show the worker\'s JSON log lines on stderr (default warn in the demo)']],
    exitCodes: [['0', 'stopped by Ctrl-C (SIGINT) or SIGTERM'], ['1', 'could not start (port in use, no redis-server): one line says why'], USAGE_BAD],
    examples: ['sendpulse-monitor demo', 'npm run demo -- --port 9500'],
  },
  check: {
    summary: 'poll every account once: a Nagios/Icinga plugin (status line, perfdata, exit code)',
    synopsis: '[--config FILE] [--format FORMAT]',
    description: [
      'Polls every endpoint of every account once (no Redis needed) and applies the alert rules once',
      '(no hysteresis, no history). Uses only the sendpulse and accounts settings: Redis, the HTTP server',
      'and the alert channels are neither needed nor checked.',
    ],
    options: {
      config: CONFIG,
      format: { type: 'string', value: 'FORMAT', help: 'nagios (the default: a status line with perfdata, then the table), table, or json' },
      help: HELP,
    },
    env: CONFIG_ENV,
    exitCodes: [['0', 'OK'], ['1', 'WARNING: a warning rule fires'], ['2', 'CRITICAL: a critical rule fires'],
      ['3', 'UNKNOWN: SendPulse could not be read, the configuration has problems, or a usage mistake']],
    examples: ['sendpulse-monitor check --config /etc/sendpulse-monitor/config.yaml',
      'SENDPULSE_API_KEY=... sendpulse-monitor check --format table'],
    plugin: true,
  },
  validate: {
    summary: 'check a configuration file, everything run would use; exit 0 or 1',
    synopsis: '[--config FILE]',
    description: ['Checks the file (or the environment) as `run` would load it and lists every problem at once.'],
    options: { config: CONFIG, help: HELP },
    env: [...CONFIG_ENV, REDIS_ENV, ...EMAIL_ENV],
    exitCodes: [['0', 'config OK (the account names on stdout)'], CONFIG_BAD, USAGE_BAD],
    examples: ['sendpulse-monitor validate --config config.yaml'],
  },
  plan: {
    summary: 'print the requests each account will make against its budget',
    synopsis: '[--config FILE]',
    description: ['Uses only the accounts (plan, budget, intervals): Redis, the server and the alert channels are not checked.'],
    options: { config: CONFIG, help: HELP },
    env: CONFIG_ENV,
    exitCodes: [['0', 'every schedule fits (or is stretched: a warning on stderr)'],
      ['1', 'the configuration has problems, or an account with onOverflow: refuse does not fit'], USAGE_BAD],
    examples: ['sendpulse-monitor plan --config config.yaml'],
  },
  simulate: {
    summary: 'run the SendPulse API simulator the tests and the demo use',
    synopsis: '[--port N] [--host H] [--accounts FILE] [--generate N]',
    description: [
      'Runs a SendPulse API simulator (the endpoints, errors and quotas of the SendPulse reference)',
      'until Ctrl-C. Control API and account file format: src/simulator/README.md.',
    ],
    options: {
      port: { type: 'string', value: 'N', help: 'port to listen on (default 0: a free one, printed)' },
      host: { type: 'string', value: 'H', help: 'address to bind (default 127.0.0.1)' },
      accounts: { type: 'string', value: 'FILE', help: 'accounts from a JSON or YAML file instead of the demo account' },
      generate: { type: 'string', value: 'N', help: 'add N generated accounts (acct-00001 ... with API key sim-key-00001 ...)' },
      help: HELP,
    },
    env: [],
    exitCodes: [['0', 'stopped by Ctrl-C (SIGINT) or SIGTERM'], ['1', 'the accounts file has problems, or the port is taken'],
      ['2', 'an unknown option, a stray argument or a bad number (with the usage)']],
    examples: ['sendpulse-monitor simulate --port 8099 --generate 100'],
  },
  'test-alert': {
    summary: 'send a test notification through each configured channel',
    synopsis: '[--config FILE] [--channel NAME]',
    description: ['Sends one test notification through every configured channel (or only --channel) now, not',
      'through the queue and regardless of the channels\' filters, and prints one line per channel:',
      '`delivered`, `rejected (...)` or `failed (retryable): ...`. Redis and the HTTP server are not needed.'],
    options: {
      config: CONFIG,
      channel: { type: 'string', value: 'NAME', help: 'only this channel (email, webhook, slack, ...)' },
      help: HELP,
    },
    env: [...CONFIG_ENV, ...EMAIL_ENV],
    exitCodes: [['0', 'every channel delivered'], ['1', 'a channel failed, none is configured, or the configuration has problems'],
      ['2', 'an unknown option or a stray argument (with the usage), or --channel names no configured channel']],
    examples: ['SMTP_URL=smtps://user:pass@smtp.example.com:465 sendpulse-monitor test-alert --config config.yaml'],
  },
};

function columns(rows: [string, string][], indent = '  '): string[] {
  const width = Math.max(0, ...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${indent}${a.padEnd(width)}  ${b}`);
}

/** `-c, --config FILE`-style rows of a command's options. */
function optionRows(spec: CommandSpec): [string, string][] {
  return Object.entries(spec.options).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`, o.help,
  ]);
}

/** The usage line and the options: what a usage mistake prints. */
export function commandUsage(name: CommandName): string {
  const spec = COMMAND_SPECS[name];
  return [`Usage: sendpulse-monitor ${name} ${spec.synopsis}`.trimEnd(), '', 'Options:', ...columns(optionRows(spec)),
    '', `More: sendpulse-monitor ${name} --help`].join('\n');
}

/** The full `--help` text: summary, usage, description, options, environment, exit codes, examples. */
export function commandHelp(name: CommandName): string {
  const spec = COMMAND_SPECS[name];
  return [
    `sendpulse-monitor ${name}: ${spec.summary}`,
    '',
    `Usage: sendpulse-monitor ${name} ${spec.synopsis}`.trimEnd(),
    '',
    ...spec.description,
    '',
    'Options:',
    ...columns(optionRows(spec)),
    ...(spec.env.length ? ['', 'Environment:', ...columns(spec.env)] : []),
    '',
    'Exit codes:',
    ...columns(spec.exitCodes),
    '',
    spec.examples.length === 1 ? 'Example:' : 'Examples:',
    ...spec.examples.map((e) => `  ${e}`),
  ].join('\n');
}
