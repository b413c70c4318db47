import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '../..');
/** The chart directory. */
export const CHART = path.join(ROOT, 'helm/sendpulse-monitor');
/** The CI values files (chart-testing's ci/ convention), by a short name; `defaults` adds only an account (the chart has none by default). */
export const VALUES_CASES: Record<string, string | undefined> = {
  defaults: path.join(CHART, 'ci/minimal-values.yaml'),
  'external Redis with TLS': path.join(CHART, 'ci/external-redis-tls-values.yaml'),
  existingSecret: path.join(CHART, 'ci/existing-secret-values.yaml'),
  'everything on': path.join(CHART, 'ci/everything-on-values.yaml'),
};

/** A rendered Kubernetes object, loosely typed: tests read paths they know. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Manifest = Record<string, any>;

let cached: string | undefined;

/** Returns the path of a real helm binary, fetching it on first use (scripts/get-helm.sh is idempotent). */
export function helmBinary(): string {
  cached ??= execFileSync('bash', [path.join(ROOT, 'scripts/get-helm.sh')], { encoding: 'utf8' }).trim().split('\n').pop()!;
  return cached;
}

/** Runs helm and returns its exit status and output, never throwing on a non-zero exit. */
export function helm(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(helmBinary(), args, { encoding: 'utf8', cwd: ROOT });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The arguments that select values files (later ones win, as with helm's own -f) and extra --set flags. */
export function valuesArgs(valuesFile?: string | string[], set: string[] = []): string[] {
  const files = valuesFile === undefined ? [] : [valuesFile].flat();
  return [...files.flatMap((f) => ['-f', f]), ...set.flatMap((s) => ['--set', s])];
}

/** Renders the chart (or a copy of it at `chart`) as `helm template` text; throws with helm's message when rendering fails. */
export function renderText(valuesFile?: string | string[], set: string[] = [], chart = CHART): string {
  const r = helm(['template', 'spm', chart, '--namespace', 'monitoring', ...valuesArgs(valuesFile, set)]);
  if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return r.stdout;
}

/** Renders the chart (or a copy of it at `chart`) and parses every manifest. */
export function render(valuesFile?: string | string[], set: string[] = [], chart = CHART): Manifest[] {
  return parseAllDocuments(renderText(valuesFile, set, chart))
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

/** The one manifest of a kind (and name suffix), or undefined. */
export function find(ms: Manifest[], kind: string, nameSuffix = ''): Manifest | undefined {
  return ms.find((m) => m.kind === kind && String(m.metadata?.name).endsWith(nameSuffix));
}

/** Runs the offline schema validator on manifests; returns its per-object results and exit status. */
export function validate(text: string): { status: number; results: { kind: string; name: string; errors: string[] }[] } {
  const r = spawnSync('node', [path.join(__dirname, 'validate-manifests.mjs')], { input: text, encoding: 'utf8', cwd: ROOT });
  if (!r.stdout) throw new Error(`validator crashed: ${r.stderr}`);
  return { status: r.status ?? -1, results: JSON.parse(r.stdout) };
}

/** Renders NOTES.txt (which `helm template` leaves out) from a copy of the chart where it is an ordinary template. */
export function renderNotes(valuesFile?: string | string[], set: string[] = []): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spm-notes-'));
  try {
    fs.cpSync(CHART, dir, { recursive: true });
    fs.renameSync(path.join(dir, 'templates/NOTES.txt'), path.join(dir, 'notes.txt'));
    fs.writeFileSync(path.join(dir, 'templates/zz-notes.yaml'), 'notes: {{ tpl (.Files.Get "notes.txt") . | toJson }}\n');
    const r = helm(['template', 'spm', dir, '--namespace', 'monitoring', '--show-only', 'templates/zz-notes.yaml', ...valuesArgs(valuesFile, set)]);
    if (r.status !== 0) throw new Error(`helm template failed: ${r.stderr}`);
    return (parseAllDocuments(r.stdout)[0].toJS() as { notes: string }).notes;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The rule groups of the chart's PrometheusRule, as a Prometheus rule file holds them. */
export function ruleGroups(valuesFile?: string | string[], set: string[] = []): RuleGroup[] {
  const pr = find(render(valuesFile, ['prometheusRule.enabled=true', ...set]), 'PrometheusRule');
  if (!pr) throw new Error('no PrometheusRule rendered');
  return pr.spec.groups;
}

/** One alerting rule of the PrometheusRule. */
export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** A rule group of the PrometheusRule. */
export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}
