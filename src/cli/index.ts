#!/usr/bin/env node
import { VERSION } from '../version';
import { COMMAND_SPECS, commandHelp, type CommandName } from './command-specs';

type Command = { main(argv: string[]): Promise<number> };

// Loaded lazily so `--version`, `--help` and `validate` do not pull in BullMQ and the HTTP stack.
const COMMANDS: Record<CommandName, () => Promise<Command>> = {
  run: () => import('./run'),
  demo: () => import('./demo'),
  check: () => import('./check'),
  validate: () => import('./validate'),
  plan: () => import('./plan'),
  simulate: () => import('./simulate'),
  'test-alert': () => import('./test-alert'),
};

const isCommand = (name: string): name is CommandName => Object.hasOwn(COMMANDS, name);

/** The text `--help` prints. */
export function usage(): string {
  const names = Object.keys(COMMAND_SPECS) as CommandName[];
  const width = Math.max(...names.map((c) => c.length));
  return [
    `sendpulse-monitor ${VERSION}: watches SendPulse accounts and exports them to Prometheus`,
    '',
    'Usage: sendpulse-monitor <command> [options]',
    '',
    'Commands:',
    ...names.map((name) => `  ${name.padEnd(width)}  ${COMMAND_SPECS[name].summary}`),
    '',
    'Configuration: --config FILE or SENDPULSE_MONITOR_CONFIG; without a file, one account from',
    'SENDPULSE_API_KEY (or SENDPULSE_CLIENT_ID + SENDPULSE_CLIENT_SECRET), SENDPULSE_API_URL, REDIS_URL, PORT,',
    'SMTP_URL, ALERT_EMAIL_FROM, ALERT_EMAIL_TO.',
    'Each command\'s options, environment variables and exit codes: sendpulse-monitor <command> --help',
    'Options: --help, --version',
  ].join('\n');
}

async function cli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    process.stdout.write(usage() + '\n');
    return command ? 0 : 2;
  }
  if (command === 'help') {
    const [topic, ...extra] = rest;
    if (topic === undefined && extra.length === 0) {
      process.stdout.write(usage() + '\n');
      return 0;
    }
    if (!isCommand(topic) || extra.length > 0) {
      process.stderr.write(`sendpulse-monitor help: unknown command ${JSON.stringify([topic, ...extra].join(' '))}\n\n${usage()}\n`);
      return 2;
    }
    process.stdout.write(commandHelp(topic) + '\n');
    return 0;
  }
  if (command === '--version' || command === '-v') {
    if (rest.length > 0) {
      process.stderr.write(`sendpulse-monitor: --version takes no arguments\n`);
      return 2;
    }
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  if (!isCommand(command)) {
    process.stderr.write(`sendpulse-monitor: unknown command "${command}"\n\n${usage()}\n`);
    return 2;
  }
  // The demo prints its own readable lines; JSON info logs would bury them (LOG_LEVEL=info shows them).
  if (command === 'demo' && !process.env.LOG_LEVEL) process.env.LOG_LEVEL = 'warn';
  return (await COMMANDS[command]()).main(rest);
}

if (require.main === module) {
  cli(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err: Error) => {
      process.stderr.write(`sendpulse-monitor: ${err.message}\n`);
      process.exitCode = 1;
    },
  );
}
