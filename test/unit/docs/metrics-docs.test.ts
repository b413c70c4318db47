import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACCOUNT_FAMILIES } from '../../../src/metrics/account-metrics';
import { READING_FAMILIES } from '../../../src/metrics/reading-families';
import { ALERT_RULES } from '../../../src/alerts/rules';

const ROOT = join(__dirname, '../../..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** The list test/integration/monitor-metrics.test.ts checks against a live /metrics, and the chart tests read. */
const EXPORTED = readFileSync(join(ROOT, 'test/fixtures/metrics/exported-metrics.txt'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);

/** The metric names in the first column of the README's tables (`| \`name\` | ...`, or `| name | ...`). */
const documented = new Set([...README.matchAll(/^\| `?(sendpulse_[a-z0-9_]+)`? \|/gm)].map((m) => m[1]));

describe('docs driven by the field table and the rule index', () => {
  it('lists every per-account family the field table defines among the exported metrics', () => {
    for (const f of [...READING_FAMILIES.map((x) => x.name), ...ACCOUNT_FAMILIES.map((x) => x.name)]) {
      expect([f, EXPORTED.includes(f)]).toEqual([f, true]);
    }
  });

  it('documents every exported metric in a README table, and no metric that is not exported', () => {
    for (const m of EXPORTED) expect([m, documented.has(m)]).toEqual([m, true]);
    for (const m of documented) expect([m, EXPORTED.includes(m)]).toEqual([m, true]);
  });

  it('shows every value family of the field table on the dashboard, unless its row says it is a plan fact (panel: false)', () => {
    const dashboard = readFileSync(join(ROOT, 'grafana/dashboard.json'), 'utf8');
    for (const f of READING_FAMILIES) {
      const hidden = f.rows.every(({ row }) => row.metric?.panel === false);
      expect([f.name, dashboard.includes(f.name)]).toEqual([f.name, !hidden]);
    }
  });

  it('has a README rules-table row for every alert rule', () => {
    for (const r of ALERT_RULES) expect([r.name, new RegExp(`^\\| \`${r.name}\` \\|`, 'm').test(README)]).toEqual([r.name, true]);
  });
});
