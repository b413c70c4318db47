#!/usr/bin/env node
import { VERSION } from '../version';

type Command = { main(argv: string[]): Promise<number> };

// Loaded lazily so `--version` and `validate` do not pull in BullMQ and the HTTP stack.
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  run: { summary: 'run the worker and serve /metrics (the default in the container)', load: () => import('./run') },
  demo: { summary: 'run everything locally: private redis-server, the simulator, the worker', load: () => import('./demo') },
  check: { summary: 'poll every account once and print a table; Nagios exit codes', load: () => import('./check') },
  validate: { summary: 'check a config file and exit 0 or 1', load: () => import('./validate') },
  plan: { summary: 'print the requests each account will make against its budget', load: () => import('./plan') },
  simulate: { summary: 'run the SendPulse API simulator (--port N)', load: () => import('./simulate') },
  'test-alert': { summary: 'send a test notification through each configured channel', load: () => import('./test-alert') },
};

/** The text `--help` prints. */
export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    `sendpulse-monitor ${VERSION}: watches SendPulse accounts and exports them to Prometheus`,
    '',
    'Usage: sendpulse-monitor <command> [--config FILE] [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Configuration: --config FILE or SENDPULSE_MONITOR_CONFIG; without a file, one account from',
    'SENDPULSE_API_KEY (or SENDPULSE_CLIENT_ID + SENDPULSE_CLIENT_SECRET), SENDPULSE_API_URL, REDIS_URL, PORT.',
    'Options: --help, --version',
  ].join('\n');
}

async function cli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(usage() + '\n');
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    process.stderr.write(`sendpulse-monitor: unknown command "${command}"\n\n${usage()}\n`);
    return 2;
  }
  if (rest.includes('--help')) {
    process.stdout.write(`sendpulse-monitor ${command}: ${entry.summary}\n`);
    return 0;
  }
  // The demo prints its own readable lines; JSON info logs would bury them (LOG_LEVEL=info shows them).
  if (command === 'demo' && !process.env.LOG_LEVEL) process.env.LOG_LEVEL = 'warn';
  return (await entry.load()).main(rest);
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
