import { main } from '../../../src/cli/validate';
import { tempConfigDir } from './config-files';

/** Runs `validate` in-process and returns its exit code and what it printed. */
async function runValidate(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const saved = process.env;
  process.env = env;
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    process.env = saved;
    out.mockRestore();
    err.mockRestore();
  }
}

describe('sendpulse-monitor validate', () => {
  const t = tempConfigDir();
  afterAll(() => t.cleanup());

  it('prints "config OK" with the account names and exits 0', async () => {
    const file = t.write('ok.yaml', 'accounts:\n  - { name: main, apiKey: k }\n  - { name: shop, clientId: i, clientSecret: s }\n');
    expect(await runValidate(['--config', file])).toEqual({ code: 0, stdout: 'config OK: 2 accounts (main, shop)\n', stderr: '' });
    expect(await runValidate([`--config=${file}`])).toMatchObject({ code: 0 });
  });

  it('checks the file named by SENDPULSE_MONITOR_CONFIG when --config is not given', async () => {
    const file = t.write('env.yaml', 'accounts:\n  - { name: main, apiKey: k }\n');
    expect(await runValidate([], { SENDPULSE_MONITOR_CONFIG: file })).toEqual({ code: 0, stdout: 'config OK: 1 account (main)\n', stderr: '' });
  });

  it('prints each problem on its own line on stderr and exits 1', async () => {
    const file = t.write('bad.yaml', 'accounts:\n  - { name: main, apiKey: TOP-SECRET, intervals: { balance: 5x }, plann: free }\n');
    const result = await runValidate(['--config', file]);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'accounts[0].intervals.balance: "5x" is not a duration (use 30s, 5m, 1h, 7d)\naccounts[0].plann: unknown key (did you mean plan?)\n',
    });
  });

  it('exits 1 with the ways to configure when there is nothing to check', async () => {
    const result = await runValidate([]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^no configuration: pass --config FILE/);
  });

  it('exits 2 with the usage on an option it does not know or a stray argument', async () => {
    expect(await runValidate(['--strict'])).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('sendpulse-monitor validate: unknown option --strict\n\nUsage: sendpulse-monitor validate [--config FILE]') });
    expect(await runValidate(['config.yaml'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unexpected argument "config.yaml" (did you mean --config config.yaml?)') });
  });
});
