import { parseArgs } from 'node:util';
import { COMMAND_SPECS, commandHelp, commandUsage, type CommandName } from './command-specs';
import { formatPluginOutput, PLUGIN_SERVICE } from './nagios-output';

/** Option values by long name: strings for string options, true for flags given; absent when not given. */
export type CommandValues = Record<string, string | boolean | undefined>;

/** The parsed command line, or the exit code to return at once (after `--help`, or a usage mistake). */
export type CommandLine = { ok: true; values: CommandValues } | { ok: false; exitCode: number };

/** Where the parser writes `--help` (out) and usage mistakes (err); default stdout and stderr. */
export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const STD_IO: CommandIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Edit distance, for "did you mean --config?". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

function suggestion(name: string, known: string[]): string {
  const best = known.map((k) => [k, distance(name, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= 2 ? ` (did you mean --${best[0]}?)` : '';
}

/** The first mistake in `argv` for this command, as one sentence; null when there is none. */
function firstMistake(name: CommandName, argv: readonly string[]): string | null {
  const spec = COMMAND_SPECS[name];
  const options = Object.fromEntries(Object.entries(spec.options).map(([k, o]) => [k, o.short ? { type: o.type, short: o.short } : { type: o.type }]));
  // Lenient parse with tokens, so every mistake can be named in our words (util.parseArgs' strict
  // messages suggest `--` tricks that do not apply here).
  const { tokens } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const known = Object.keys(spec.options);
  for (const t of tokens) {
    if (t.kind === 'positional') {
      const fileLike = /\.(ya?ml|json)$/i.test(t.value) && 'config' in spec.options;
      return `unexpected argument ${JSON.stringify(t.value)}${fileLike ? ` (did you mean --config ${t.value}?)` : ''}`;
    }
    if (t.kind === 'option-terminator') continue;
    const o = spec.options[t.name];
    if (!o) return `unknown option ${t.rawName}${t.rawName.startsWith('--') ? suggestion(t.name, known) : ''}`;
    const shown = `--${t.name}${o.value ? ` ${o.value}` : ''}`;
    if (o.type === 'boolean' && t.value !== undefined) return `--${t.name} takes no value`;
    if (o.type === 'string') {
      // A value that looks like an option is the next option: `--config --format json` forgot the file.
      if (t.value === undefined || t.value === '' || (!t.inlineValue && t.value.startsWith('-'))) return `${t.rawName} needs a value (${shown})`;
    }
  }
  return null;
}

/**
 * Parses a command's arguments against its spec (command-specs.ts), strictly: an unknown option, a
 * stray argument or a missing value prints the problem and the usage, and returns exit code 2 (3 with a
 * `SENDPULSE UNKNOWN - ...` status line first for the `check` plugin); `--help` prints the full help
 * and returns 0.
 */
export function parseCommandLine(name: CommandName, argv: readonly string[], io: CommandIo = STD_IO): CommandLine {
  const spec = COMMAND_SPECS[name];
  const mistake = firstMistake(name, argv);
  if (mistake) {
    if (spec.plugin) {
      // Nagios shows the first line of stdout: the status line must be there.
      io.out(formatPluginOutput(PLUGIN_SERVICE, 'UNKNOWN', mistake, [], commandUsage(name).split('\n')));
      return { ok: false, exitCode: 3 };
    }
    io.err(`sendpulse-monitor ${name}: ${mistake}\n\n${commandUsage(name)}`);
    return { ok: false, exitCode: 2 };
  }
  const options = Object.fromEntries(Object.entries(spec.options).map(([k, o]) => [k, o.short ? { type: o.type, short: o.short } : { type: o.type }]));
  const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
  if (values.help) {
    io.out(commandHelp(name));
    return { ok: false, exitCode: 0 };
  }
  return { ok: true, values: values as CommandValues };
}

/** A string option's value, or undefined when it was not given. */
export function stringOption(values: CommandValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}
