import { parseArgs } from 'node:util';
import { ConfigError } from '../errors';
import { loadAccountsFile } from '../simulator/accounts-file';
import { defaultAccounts } from '../simulator/account-store';
import { generateAccount } from '../simulator/default-accounts';
import { startSimulator } from '../simulator/simulator';
import type { SimAccountDef } from '../simulator/types';

const USAGE = `Usage: sendpulse-monitor simulate [--port N] [--host H] [--accounts FILE] [--generate N]

Runs a SendPulse API simulator (the endpoints, errors and quotas of the SendPulse reference)
until Ctrl-C. Control API and account file format: src/simulator/README.md.

  --port N         port to listen on (default 0: a free one, printed)
  --host H         address to bind (default 127.0.0.1)
  --accounts FILE  accounts from a JSON or YAML file instead of the demo account
  --generate N     add N generated accounts (acct-00001 ... with API key sim-key-00001 ...)
`;

/** Where runSimulate writes, and what stops it; main() uses stdout, stderr and SIGINT/SIGTERM. */
export interface SimulateIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Resolves when the simulator should stop. */
  stopped: Promise<unknown>;
  /** Called with the base URL once listening (tests use it to find the port). */
  onListening?: (url: string) => void;
}

/** Runs the simulator as the `simulate` command does; resolves with the exit code. */
export async function runSimulate(argv: string[], io: SimulateIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' }, host: { type: 'string' }, accounts: { type: 'string' },
        generate: { type: 'string' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (e) {
    io.err(`simulate: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const port = Number(values.port ?? '0');
  const generate = Number(values.generate ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`simulate: --port: "${values.port}" is not a port number`);
    return 2;
  }
  if (!Number.isInteger(generate) || generate < 0) {
    io.err(`simulate: --generate: "${values.generate}" is not a whole number`);
    return 2;
  }
  let accounts: SimAccountDef[];
  try {
    accounts = values.accounts !== undefined ? loadAccountsFile(values.accounts) : generate > 0 ? [] : defaultAccounts();
  } catch (e) {
    io.err(e instanceof ConfigError ? e.problems.join('\n') : String(e));
    return 1;
  }
  const now = Date.now();
  for (let i = 1; i <= generate; i++) accounts.push(generateAccount(i, now));

  let sim;
  try {
    sim = await startSimulator({ port, host: values.host, accounts });
  } catch (e) {
    io.err(`simulate: cannot listen on ${values.host ?? '127.0.0.1'}:${port}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  io.out(`SendPulse simulator listening on ${sim.url}`);
  io.out(`  control API: ${sim.url}/_control/`);
  const ids = sim.accountIds();
  io.out(`  accounts (${ids.length}): ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', ...' : ''}`);
  const demo = sim.account('demo');
  if (demo && values.accounts === undefined) {
    // Made-up credentials of the built-in demo account: printing them is the point of this line.
    io.out(`  demo account: API key ${demo.apiKey}; client id ${demo.clientId}, client secret ${demo.clientSecret}`);
    io.out(`  try: curl -H 'Authorization: Bearer ${demo.apiKey}' ${sim.url}/user/balance/detail`);
  }
  if (generate > 0) io.out(`  generated accounts: API key sim-key-NNNNN, client sim-client-NNNNN / sim-secret-NNNNN`);
  io.out('Press Ctrl-C to stop.');
  io.onListening?.(sim.url);
  await io.stopped;
  await sim.close();
  return 0;
}

/** `sendpulse-monitor simulate ...`: runs until SIGINT or SIGTERM, then closes and returns 0. */
export async function main(argv: string[]): Promise<number> {
  let onSignal: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    onSignal = resolve;
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  try {
    return await runSimulate(argv, {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (line) => process.stderr.write(`${line}\n`),
      stopped,
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
