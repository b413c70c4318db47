import { configFileFromArgv } from '../../../src/config/config-file-arg';
import { ConfigError } from '../../../src/errors';

describe('--config on the command line', () => {
  it('takes the file from --config FILE, --config=FILE and -c FILE', () => {
    expect(configFileFromArgv(['--config', 'a.yaml'])).toBe('a.yaml');
    expect(configFileFromArgv(['--once', '--config=b.yaml'])).toBe('b.yaml');
    expect(configFileFromArgv(['-c', 'c.yaml', '--once'])).toBe('c.yaml');
  });

  it('is undefined without --config, so the env and env-only mode apply', () => {
    expect(configFileFromArgv(['--once'])).toBeUndefined();
  });

  it('refuses --config with no file instead of reading the next flag as one', () => {
    expect(() => configFileFromArgv(['--config'])).toThrow(ConfigError);
    expect(() => configFileFromArgv(['--config', '--once'])).toThrow('--config needs a file path (--config FILE)');
  });
});
