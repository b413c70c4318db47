import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The compiled harness (`npm test` builds it with the rest of bench/). */
const SOAK = resolve(__dirname, '../../dist/bench/soak/run-soak.js');
/** The CI run: three minutes of faults from a fixed seed, so a failure replays with `npm run soak -- --minutes 3 --seed 42`. */
const MINUTES = 3;
const SEED = 42;
/** Start-up, the faults, the drain (at most 3 min) and the checks, with room on a busy 2-core machine. */
const TIMEOUT_MS = 14 * 60_000;

describe('soak: three minutes of stacked faults (replica kills, Sentinel failovers, Redis restarts, API and channel outages)', () => {
  it('keeps every invariant: budget, freshness, notifications once and in order per channel, liveness', async () => {
    const child = spawn(process.execPath, [SOAK, '--minutes', String(MINUTES), '--seed', String(SEED)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const code = await new Promise<number | null>((res) => child.once('exit', (c) => res(c)));
    // The report names every invariant with its figure; on failure it also holds the seed and the fault timeline.
    const report = out.slice(out.indexOf('\nsoak seed'));
    if (code !== 0) throw new Error(`soak failed (exit ${code}):\n${out.slice(-12_000)}`);
    for (const name of ['budget: sliding windows', 'budget: silence during 429 pauses', 'freshness', 'notifications: email',
      'notifications: webhook', 'liveness: /healthz', 'liveness: polling resumes', 'liveness: no crash', 'liveness: memory']) {
      expect(report).toContain(`PASS ${name}:`);
    }
    expect(report).not.toContain('FAIL ');
    process.stdout.write(report);
  }, TIMEOUT_MS);
});
