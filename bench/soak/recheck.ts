import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAll, type History } from './invariants';

/**
 * Checks the invariants again from a finished run's files: `node dist/bench/soak/recheck.js DIR`
 * reads DIR/history.json and DIR/replica-N.log, prints each invariant as run-soak does, and exits 1
 * when one fails. For a run whose checks changed after it was recorded.
 */
function main(): void {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: recheck.js DIR (a soak run\'s directory)');
  const h = JSON.parse(readFileSync(join(dir, 'history.json'), 'utf8')) as History;
  h.replicas = h.replicas.map((r) => {
    const file = join(dir, `replica-${r.index}.log`);
    return { ...r, log: existsSync(file) ? readFileSync(file, 'utf8') : '' };
  });
  h.harnessErrors ??= [];
  const results = checkAll(h);
  for (const r of results) {
    process.stdout.write(`${r.ok ? 'PASS' : 'FAIL'} ${r.name}: ${r.figure}\n`);
    for (const v of r.violations.slice(0, 20)) process.stdout.write(`     - ${v}\n`);
    if (r.violations.length > 20) process.stdout.write(`     ... ${r.violations.length - 20} more\n`);
  }
  process.exit(results.every((r) => r.ok) ? 0 : 1);
}

main();
