import { ConfigError } from '../errors';

/** The FILE of `--config FILE`, `--config=FILE` or `-c FILE` in a command's arguments; undefined when absent. */
export function configFileFromArgv(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--config=')) {
      const value = arg.slice('--config='.length);
      if (value === '') throw new ConfigError(['--config needs a file path (--config FILE)']);
      return value;
    }
    if (arg === '--config' || arg === '-c') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) throw new ConfigError([`${arg} needs a file path (${arg} FILE)`]);
      return value;
    }
  }
  return undefined;
}
