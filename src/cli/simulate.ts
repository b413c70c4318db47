import { ConfigError } from '../errors';
import { loadAccountsFile } from '../simulator/accounts-file';
import { defaultAccounts } from '../simulator/account-store';
import { generateAccount } from '../simulator/default-accounts';
import { startSimulator } from '../simulator/simulator';
import type { SimAccountDef } from '../simulator/types';
import { commandUsage } from './command-specs';
import { parseCommandLine, stringOption } from './parse-command-line';

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
  const cli = parseCommandLine('simulate', argv, io);
  if (!cli.ok) return cli.exitCode;
  const values = { port: stringOption(cli.values, 'port'), host: stringOption(cli.values, 'host'),
    accounts: stringOption(cli.values, 'accounts'), generate: stringOption(cli.values, 'generate') };
  const port = Number(values.port ?? '0');
  const generate = Number(values.generate ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`sendpulse-monitor simulate: --port: "${values.port}" is not a port number\n\n${commandUsage('simulate')}`);
    return 2;
  }
  if (!Number.isInteger(generate) || generate < 0) {
    io.err(`sendpulse-monitor simulate: --generate: "${values.generate}" is not a whole number\n\n${commandUsage('simulate')}`);
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
