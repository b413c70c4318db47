import { COMMAND_SPECS, commandHelp, type CommandName } from '../../../src/cli/command-specs';
import { parseCommandLine } from '../../../src/cli/parse-command-line';

/** Runs the parser with its output captured. */
function parse(name: CommandName, argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const r = parseCommandLine(name, argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { r, out: out.join('\n'), err: err.join('\n') };
}

describe('the strict command line', () => {
  it('returns the values of known options in every spelling', () => {
    for (const argv of [['--config', 'a.yaml'], ['--config=a.yaml'], ['-c', 'a.yaml']]) {
      expect(parse('run', argv).r).toEqual({ ok: true, values: { config: 'a.yaml' } });
    }
    expect(parse('check', ['--format', 'json', '-c', 'x.yaml']).r).toEqual({ ok: true, values: { format: 'json', config: 'x.yaml' } });
  });

  it('rejects a misspelt option with a suggestion and the usage, exit 2', () => {
    const { r, err, out } = parse('plan', ['--confg', 'config.yaml']);
    expect(r).toEqual({ ok: false, exitCode: 2 });
    expect(out).toBe('');
    expect(err).toMatch(/^sendpulse-monitor plan: unknown option --confg \(did you mean --config\?\)\n\nUsage: sendpulse-monitor plan \[--config FILE\]\n/);
    expect(err).toContain('-c, --config FILE');
  });

  it('rejects a stray argument (a file given without --config), a missing value and a value for a flag', () => {
    expect(parse('plan', ['config.yaml']).err).toContain('unexpected argument "config.yaml" (did you mean --config config.yaml?)');
    expect(parse('run', ['--config']).err).toContain('--config needs a value (--config FILE)');
    expect(parse('run', ['--config', '--help']).err).toContain('--config needs a value (--config FILE)');
    expect(parse('run', ['--config=']).err).toContain('--config needs a value');
    expect(parse('validate', ['--help=yes']).err).toContain('--help takes no value');
    expect(parse('simulate', ['-x']).err).toContain('unknown option -x');
    for (const argv of [['config.yaml'], ['--config'], ['-x'], ['--', 'x']]) expect(parse('run', argv).r).toEqual({ ok: false, exitCode: 2 });
  });

  it('answers a usage mistake of the check plugin with an UNKNOWN status line first and exit 3', () => {
    const { r, out, err } = parse('check', ['--confg', 'config.yaml']);
    expect(r).toEqual({ ok: false, exitCode: 3 });
    expect(err).toBe('');
    expect(out.split('\n')[0]).toBe('SENDPULSE UNKNOWN - unknown option --confg (did you mean --config?)');
  });

  it('prints the full help on --help and -h, exit 0', () => {
    for (const name of Object.keys(COMMAND_SPECS) as CommandName[]) {
      const { r, out } = parse(name, ['--help']);
      expect(r).toEqual({ ok: false, exitCode: 0 });
      expect(out).toBe(commandHelp(name));
      expect(out).toMatch(/\nOptions:\n[\s\S]*\nExit codes:\n[\s\S]*\nExamples?:\n  \S/);
      if (name !== 'simulate') expect(out).toContain('\nEnvironment:\n');
    }
    expect(parse('run', ['-h']).r).toEqual({ ok: false, exitCode: 0 });
  });
});
