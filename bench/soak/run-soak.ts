import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { sleep, waitReady } from '../wait';
import { FaultScheduler } from './faults';
import { checkAll, checkNotifications, type History, type InvariantResult } from './invariants';
import { Prng } from './prng';
import { Recorder } from './recorder';
import { startWorld, type World } from './world';

/** Options of a soak run (`npm run soak -- --minutes N --seed S [--accounts N] [--dir D]`). */
export interface SoakOptions {
  /** Minutes of faults (the drain after them adds up to 3 more). */
  minutes: number;
  seed: number;
  /** Simulated accounts; default 24 (half OAuth, half API key). */
  accounts: number;
  /** Where configs, logs, the fault log and the history go; default a new temp dir. */
  dir?: string;
}

/**
 * The longest wait after the faults for notifications held back by outages. A channel's retries
 * double from 5 s without a cap (10 attempts span about 85 minutes), so a notification that met
 * several outages in a row waits 160 s, then 320 s, for its next attempt after the last one heals.
 */
const DRAIN_MAX_MS = 8 * 60_000;

function parseArgs(argv: string[]): SoakOptions {
  const opts: SoakOptions = { minutes: 3, seed: Date.now() % 1_000_000, accounts: 24 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--minutes': opts.minutes = Number(v); i++; break;
      case '--seed': opts.seed = Number(v); i++; break;
      case '--accounts': opts.accounts = Number(v); i++; break;
      case '--dir': opts.dir = v; i++; break;
      default: throw new Error(`unknown argument ${argv[i]} (use --minutes N --seed S [--accounts N] [--dir D])`);
    }
  }
  if (!(opts.minutes > 0) || !Number.isInteger(opts.seed) || !(opts.accounts >= 1)) throw new Error('--minutes must be above 0, --seed a whole number, --accounts at least 1');
  return opts;
}

/** The history so far; without the replicas' logs when `logs` is false (the drain's frequent checks need none). */
function history(world: World, sched: FaultScheduler, rec: Recorder, startedAt: number, faultsEndedAt: number, logs = true): History {
  return {
    startedAt, faultsEndedAt, endedAt: Date.now(), accounts: world.accounts.map((a) => a.id),
    requests: world.sim.requests(), faults: sched.log, sets: sched.sets, health: rec.health, seen: rec.seen,
    channels: { email: world.smtp.deliveries, webhook: world.webhook.deliveries },
    replicas: world.replicas.map((r) => ({ index: r.index, lives: r.lives, log: logs ? r.log() : '' })),
    harnessErrors: sched.harnessErrors, harnessStalls: rec.stalls,
  };
}

/** Runs one soak and returns the invariants' results (also printed). */
export async function runSoak(opts: SoakOptions): Promise<{ results: InvariantResult[]; dir: string }> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'spm-soak-'));
  mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  const say = (line: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(7)} s] ${line}\n`);
  say(`soak: seed ${opts.seed}, ${opts.minutes} min of faults, ${opts.accounts} accounts, files in ${dir}`);
  const world = await startWorld(dir, opts.accounts);
  const rng = new Prng(opts.seed);
  const sched = new FaultScheduler(world, rng, say);
  const rec = new Recorder(world);
  let results: InvariantResult[] = [];
  try {
    for (const r of world.replicas) r.start();
    await Promise.all(world.replicas.map((r) => waitReady(r.url, 60_000)));
    say('3 replicas ready; faults start');
    const startedAt = Date.now();
    rec.start();
    sched.start();
    await sleep(opts.minutes * 60_000);
    say('faults stop; healing everything');
    await sched.stop();
    world.sim.clearFaults();
    await Promise.all([world.smtp.up(), world.webhook.up()]);
    for (const r of world.replicas) { r.pause(false); r.start(); }
    await world.redis.settled();
    sched.resetValues();
    const faultsEndedAt = Date.now();
    // Drain: wait until every transition that must be notified has reached both channels (or DRAIN_MAX_MS).
    const drainEnd = faultsEndedAt + DRAIN_MAX_MS;
    await sleep(20_000);
    while (Date.now() < drainEnd) {
      const missing = checkNotifications(history(world, sched, rec, startedAt, faultsEndedAt, false))
        .flatMap((r) => r.violations.filter((v) => v.includes('not all delivered')));
      if (missing.length === 0) break;
      await sleep(5000);
    }
    // A little longer, so that late duplicates would show.
    await sleep(10_000);
    rec.stop();
    say(`drained after ${((Date.now() - faultsEndedAt) / 1000).toFixed(0)} s; checking the history`);
    const h = history(world, sched, rec, startedAt, faultsEndedAt);
    results = checkAll(h);
    writeFileSync(join(dir, 'fault-log.json'), JSON.stringify(sched.log, null, 1));
    writeFileSync(join(dir, 'history.json'), JSON.stringify({ ...h, replicas: h.replicas.map((r) => ({ index: r.index, lives: r.lives })) }));
    const failed = results.filter((r) => !r.ok);
    process.stdout.write(`\nsoak seed ${opts.seed}, ${opts.minutes} min, ${opts.accounts} accounts, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB\n`);
    process.stdout.write(`faults: ${sched.log.length} (${Object.entries(sched.log.reduce<Record<string, number>>((m, f) => ({ ...m, [f.kind]: (m[f.kind] ?? 0) + 1 }), {})).map(([k, n]) => `${k} ${n}`).join(', ')}); value moves: ${sched.sets.length}; requests: ${h.requests.length}\n`);
    for (const r of results) {
      process.stdout.write(`${r.ok ? 'PASS' : 'FAIL'} ${r.name}: ${r.figure}\n`);
      for (const v of r.violations.slice(0, 20)) process.stdout.write(`     - ${v}\n`);
      if (r.violations.length > 20) process.stdout.write(`     ... ${r.violations.length - 20} more\n`);
    }
    if (failed.length > 0) {
      process.stdout.write(`\nFAILED: ${failed.length} invariant(s). Replay with --seed ${opts.seed} --minutes ${opts.minutes}. Fault timeline:\n`);
      for (const f of sched.log) process.stdout.write(`  #${f.n} t+${((f.start - startedAt) / 1000).toFixed(1)} s .. ${f.end ? `t+${((f.end - startedAt) / 1000).toFixed(1)} s` : 'open'} ${f.kind} ${f.target}${f.retryAfterS ? ` retry-after ${f.retryAfterS} s` : ''}${f.detail ? ` (${f.detail})` : ''}\n`);
      process.stdout.write(`logs, fault-log.json and history.json in ${dir}\n`);
    }
  } finally {
    rec.stop();
    await world.close();
  }
  return { results, dir };
}

if (require.main === module) {
  let opts: SoakOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  runSoak(opts).then(({ results }) => process.exit(results.length > 0 && results.every((r) => r.ok) ? 0 : 1), (err: unknown) => {
    process.stderr.write(`soak harness failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(3);
  });
}
