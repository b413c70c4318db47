import { COMMAND_SPECS, type CommandName } from '../../src/cli/command-specs';
import { logRecords } from '../helpers/fault-rig';
import { killAll, spawnCli, startMonitorEnv, type CliProcess, type MonitorEnv } from '../helpers/monitor-env';
import { waitFor } from '../helpers/wait-for';

const COMMANDS = Object.keys(COMMAND_SPECS) as CommandName[];

// A command that ignored --help or a typo would run on (run, demo): killed after the tests, whatever happened.
const procs: CliProcess[] = [];

/** Runs the CLI to its end: exit code, stdout and everything printed. */
async function run(args: string[], vars: NodeJS.ProcessEnv = {}) {
  const p = spawnCli(args, vars);
  procs.push(p);
  const code = await p.exited;
  return { code, stdout: p.stdout(), out: p.output() };
}

describe('a strict command line (issue 10, cases 3 and 11)', () => {
  let env: MonitorEnv;
  beforeAll(async () => {
    env = await startMonitorEnv([{ id: 'main', apiKey: 'key-main' }]);
  });
  afterAll(async () => {
    await killAll(procs);
    await env.close();
  });

  it('every command refuses a misspelt option with its usage and exit 2 (check: 3 with an UNKNOWN status line), before doing anything', async () => {
    // SENDPULSE_API_KEY is set: a command that ignored the typo would go on with the environment's account.
    const vars = { SENDPULSE_API_KEY: 'key-main', SENDPULSE_API_URL: env.sim.url, REDIS_URL: env.redis.url };
    const since = Date.now();
    const results = await Promise.all(COMMANDS.map((c) => run([c, '--confg', 'config.yaml'], vars)));
    results.forEach((r, i) => {
      const name = COMMANDS[i];
      if (name === 'check') {
        expect([name, r.code]).toEqual([name, 3]);
        expect(r.stdout.split('\n')[0]).toMatch(/^SENDPULSE UNKNOWN - unknown option --confg/);
      } else {
        expect([name, r.code]).toEqual([name, 2]);
        expect(r.out).toContain(`sendpulse-monitor ${name}: unknown option --confg`);
      }
      expect(r.out).toContain(`Usage: sendpulse-monitor ${name} `);
    });
    expect(env.sim.requests({ since })).toHaveLength(0);
  });

  it('refuses a stray argument: `plan config.yaml` no longer ignores the file', async () => {
    const file = env.writeConfig('  - { name: main, apiKey: key-main }');
    const r = await run(['plan', file]);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`unexpected argument ${JSON.stringify(file)} (did you mean --config ${file}?)`);
    expect(r.stdout).toBe('');
    expect((await run(['plan', '--config', file])).code).toBe(0);
  });

  it('every command\'s --help lists its options, environment variables, exit codes and an example; `help <command>` too', async () => {
    const results = await Promise.all(COMMANDS.map((c) => run([c, '--help'])));
    results.forEach((r, i) => {
      const name = COMMANDS[i];
      expect([name, r.code]).toEqual([name, 0]);
      expect(r.stdout).toMatch(new RegExp(`^sendpulse-monitor ${name}: .+\\n\\nUsage: sendpulse-monitor ${name}`));
      for (const section of ['Options:', 'Exit codes:']) expect(r.stdout).toContain(`\n${section}\n`);
      expect(r.stdout).toMatch(/\nExamples?:\n {2}(sendpulse-monitor|npm|\S+=\S+ sendpulse-monitor) /);
      for (const option of Object.keys(COMMAND_SPECS[name].options)) expect(r.stdout).toContain(`--${option}`);
      if (COMMAND_SPECS[name].env.length > 0) expect(r.stdout).toContain('\nEnvironment:\n');
    });
    expect(results.find((_, i) => COMMANDS[i] === 'check')!.stdout).toContain('SENDPULSE_API_KEY');
    expect((await run(['help', 'check'])).stdout).toBe(results[COMMANDS.indexOf('check')].stdout);
  });

  it('run logs at start which alert rules each account has, and says plainly when one has no value rule', async () => {
    const file = env.writeConfig(`
  - { name: main, apiKey: key-main }
  - { name: bare, apiKey: key-main, alerts: { rules: { balance: false } } }`, 'alerts:\n  rules:\n    balance: { warning: 10, critical: 2 }');
    const p = spawnCli(['run', '--config', file]);
    try {
      const lines = await waitFor('two rule lines in the log', () => {
        const r = logRecords(p.output()).filter((l) => typeof l.msg === 'string' && l.msg.startsWith('alert rules of '));
        return r.length === 2 && r;
      });
      expect(lines.map((l) => [l.account, l.msg, l.noValueRule])).toEqual([
        ['main', 'alert rules of main: rules: balance below 10/2, tariffExpiry below 7d/1d, credentials, stale, unreadable (levels are warning/critical)', false],
        ['bare', 'alert rules of bare: rules: tariffExpiry below 7d/1d, credentials, stale, unreadable (levels are warning/critical); '
          + 'no value rule: balance, emailsLeft, smtpEmailsLeft, smtpTraffic, subscribers, runway are off until alerts.rules gives their thresholds', true],
      ]);
    } finally {
      p.proc.kill('SIGTERM');
      await p.exited;
    }
  });
});
