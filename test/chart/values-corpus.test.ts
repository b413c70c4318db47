import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CLI } from '../helpers/monitor-env';
import { CHART, ROOT, VALUES_CASES, find, helm, render, renderNotes, type Manifest } from './helm';

/**
 * The chart refuses what the monitor refuses: every values file in bad-values/ makes `helm template` fail
 * naming the key path (`# helm:` in the file), and the config the chart would have rendered from it
 * without its checks is refused by the monitor's own `validate` (`# validate:`), so the corpus holds no
 * case the chart invents. Every good rendering (the CI values, the promtool values, the README's
 * example) gives a config that `validate` accepts.
 */

const BAD_DIR = path.join(__dirname, 'bad-values');
const BAD = fs.readdirSync(BAD_DIR).filter((f) => f.endsWith('.yaml')).sort();
/** The values files the README's Kubernetes section writes (`cat > NAME.yaml <<'YAML' ... YAML`), by name. */
function readmeValues(): Record<string, string> {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  return Object.fromEntries([...readme.matchAll(/^cat > ([\w-]+\.yaml) <<'YAML'\n([\s\S]*?)^YAML$/gm)].map((m) => [m[1], m[2]]));
}
const README_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'spm-readme-values-'));
for (const [name, text] of Object.entries(readmeValues())) fs.writeFileSync(path.join(README_DIR, name), text);
const inReadme = (...names: string[]) => names.map((n) => path.join(README_DIR, n));

const GOOD: [string, string | string[]][] = [
  ...Object.entries(VALUES_CASES).map(([name, file]): [string, string] => [name, file!]),
  ['promtool unit tests', path.join(__dirname, 'rules-test-values.yaml')],
  ['README, notifications from the monitor', inReadme('my-values.yaml', 'notify-builtin.yaml')],
  ['README, notifications through Alertmanager', inReadme('my-values.yaml', 'notify-alertmanager.yaml')],
];

/** The `# helm:` and `# validate:` lines of a bad values file. */
function expectations(file: string): { helm: string[]; validate: string[] } {
  const text = fs.readFileSync(path.join(BAD_DIR, file), 'utf8');
  const pick = (key: string) => [...text.matchAll(new RegExp(`^# ${key}: (.+)$`, 'gm'))].map((m) => m[1]);
  return { helm: pick('helm'), validate: pick('validate') };
}

/** What a Secret key holds where the monitor checks its content, when the chart did not make the Secret. */
const STAND_IN: Record<string, string> = {
  'smtp-url': 'smtps://u:p@smtp.example.com:465',
  'webhook-url': 'https://hooks.example.com/x',
  'slack-url': 'https://hooks.slack.com/services/T/B/x',
  'discord-url': 'https://discord.com/api/webhooks/1/x',
  'teams-url': 'https://example.webhook.office.com/x',
  'telegram-bot-token': '123456:AAF-token',
};

/**
 * Runs `sendpulse-monitor validate` on the config of rendered manifests, with the Secret mounted as files
 * (the chart's own Secret decoded, or stand-ins for an existingSecret); returns its exit code and output.
 */
function validateRendered(ms: Manifest[]): { status: number; out: string; config: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spm-chart-config-'));
  try {
    const config = find(ms, 'ConfigMap', 'sendpulse-monitor')!.data['config.yaml'].replaceAll('/etc/sendpulse-monitor/secrets', dir);
    const secret = find(ms, 'Secret');
    for (const [, f] of config.matchAll(/File: (\S+)/g)) {
      const key = path.basename(f);
      const data = secret?.data?.[key];
      fs.writeFileSync(f, data !== undefined ? Buffer.from(data, 'base64').toString() : `${STAND_IN[key] ?? 'not-a-real-secret'}\n`);
    }
    fs.writeFileSync(path.join(dir, 'config.yaml'), config);
    const env = { PATH: process.env.PATH, HOME: process.env.HOME };
    const r = spawnSync(process.execPath, [CLI, 'validate', '--config', path.join(dir, 'config.yaml')], { encoding: 'utf8', env });
    return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}`, config };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

let unchecked: string;
beforeAll(() => {
  helm(['version']);
  // The chart without its checks (schema and templates/_validate.tpl): what it would render if it let everything through.
  unchecked = fs.mkdtempSync(path.join(os.tmpdir(), 'spm-unchecked-chart-'));
  fs.cpSync(CHART, unchecked, { recursive: true });
  fs.rmSync(path.join(unchecked, 'values.schema.json'));
  const cm = path.join(unchecked, 'templates/configmap.yaml');
  fs.writeFileSync(cm, fs.readFileSync(cm, 'utf8').replace('{{- include "spm.validate" . }}\n', ''));
}, 120_000);
afterAll(() => {
  fs.rmSync(unchecked, { recursive: true, force: true });
  fs.rmSync(README_DIR, { recursive: true, force: true });
});

describe('values the monitor would refuse', () => {
  it('are a corpus of at least 25 cases, each saying what helm and validate must answer', () => {
    expect(BAD.length).toBeGreaterThanOrEqual(25);
    for (const f of BAD) expect([f, expectations(f).helm.length > 0, expectations(f).validate.length > 0]).toEqual([f, true, true]);
  });

  it.each(BAD)('%s: helm template fails, naming the key path', (file) => {
    const r = helm(['template', 'spm', CHART, '--namespace', 'monitoring', '-f', path.join(BAD_DIR, file)]);
    expect(r.status).toBe(1);
    for (const want of expectations(file).helm) expect(r.stderr).toContain(want);
  });

  it.each(BAD)('%s: rendered without the chart\'s checks, the config is refused by sendpulse-monitor validate', (file) => {
    const r = helm(['template', 'spm', unchecked, '--namespace', 'monitoring', '-f', path.join(BAD_DIR, file)]);
    expect(r.stderr).toBe('');
    const v = validateRendered(render(path.join(BAD_DIR, file), [], unchecked));
    expect(v.status).toBe(1);
    for (const want of expectations(file).validate) expect(v.out).toContain(want);
  });
});

describe('values the chart accepts', () => {
  it.each(GOOD)('%s: the rendered config is accepted by sendpulse-monitor validate', (_name, file) => {
    const v = validateRendered(render(file));
    if (v.status !== 0) throw new Error(`validate rejected the chart's config:\n${v.out}\n${v.config}`);
    expect(v.out).toMatch(/^config OK: /);
  });

  it('renders every alert rule explicitly, so the monitor\'s own defaults never differ from the PrometheusRule', () => {
    const config = parse(find(render(VALUES_CASES.defaults), 'ConfigMap', 'sendpulse-monitor')!.data['config.yaml']);
    expect(config.alerts.rules).toEqual({
      balance: false, emailsLeft: false, smtpEmailsLeft: false, smtpTraffic: false, tariffExpiry: { warning: '7d', critical: '1d' },
      subscribers: false, runway: false, credentials: true, stale: true, unreadable: true,
    });
    expect(config.redis.prefix).toBe('spm');
    expect(config.sendpulse.authBackoff).toEqual({ initial: '1m', max: '30m' });
  });
});

describe('the README\'s Kubernetes section', () => {
  it('writes the values files it tells you to use', () => {
    expect(Object.keys(readmeValues()).sort()).toEqual(['my-values.yaml', 'notify-alertmanager.yaml', 'notify-builtin.yaml']);
  });

  it('shows the inhibit rule the chart renders, and NOTES prints the same one', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = /^alertmanager:\n {2}config:\n {4}inhibit_rules:\n[\s\S]*?^```$/m.exec(readme)![0].replace(/```$/, '');
    const documented = parse(block).alertmanager.config.inhibit_rules;
    const amc = find(render(inReadme('my-values.yaml', 'notify-alertmanager.yaml'), ['alertmanagerConfig.enabled=true']), 'AlertmanagerConfig')!;
    const matchers = (ms: { name: string; matchType: string; value: string }[]) => ms.map((m) => `${m.name}${m.matchType}${JSON.stringify(m.value)}`);
    expect(documented).toEqual(amc.spec.inhibitRules.map((r: Manifest) => ({ source_matchers: matchers(r.sourceMatch), target_matchers: matchers(r.targetMatch), equal: r.equal })));
    const notes = renderNotes(inReadme('my-values.yaml', 'notify-alertmanager.yaml'));
    expect(parse(notes.slice(notes.indexOf('    inhibit_rules:')).split('\n\n')[0]).inhibit_rules).toEqual(documented);
  });

  it('shows errors the chart really gives', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const shown = /^Error: execution error at .*\n([\s\S]*?)^```$/m.exec(readme)![1].trim().split('\n');
    const given = BAD.map((f) => expectations(f).helm).flat();
    for (const line of shown) expect([line, given.includes(line)]).toEqual([line, true]);
  });
});
