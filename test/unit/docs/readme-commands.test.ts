import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { COMMAND_SPECS, type CommandName } from '../../../src/cli/command-specs';

const README = readFileSync(resolve(__dirname, '../../../README.md'), 'utf8');
const COMMANDS = Object.keys(COMMAND_SPECS) as CommandName[];

describe('the README', () => {
  it('documents every environment variable the commands read (ALERT_EMAIL_FROM and ALERT_EMAIL_TO included)', () => {
    const names = new Set(COMMANDS.flatMap((c) => COMMAND_SPECS[c].env.flatMap(([n]) => n.split(', '))));
    expect([...names]).toEqual(expect.arrayContaining(['ALERT_EMAIL_FROM', 'ALERT_EMAIL_TO', 'SMTP_URL']));
    for (const name of names) expect([name, README.includes(`| \`${name}\``) || README.includes(`, \`${name}\` |`)]).toEqual([name, true]);
  });

  it('lists every command in its commands table', () => {
    for (const name of COMMANDS) expect([name, README.includes(`| \`sendpulse-monitor ${name}`)]).toEqual([name, true]);
  });

  it('states the rule defaults in one table that matches the schema', () => {
    expect(README).toMatch(/\| `tariffExpiry` \| \*\*on\*\*: `\{ warning: 7d, critical: 1d \}` \|/);
    for (const rule of ['balance', 'emailsLeft', 'subscribers', 'runway']) expect(README).toContain(`| \`${rule}\` | off: needs thresholds |`);
    expect(README).not.toContain('### Options (`alerts:`) and defaults');
  });
});
