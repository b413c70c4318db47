import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { waitFor } from './wait-for';

/** An alert as Alertmanager's API v2 lists it (GET /api/v2/alerts). */
export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
  status: { state: string };
}

/** A real Alertmanager (Debian's prometheus-alertmanager) on a free loopback port, private to a test file. */
export interface TestAlertmanager {
  readonly url: string;
  /** The alerts it holds as active (not resolved). */
  alerts(): Promise<AmAlert[]>;
  /** Its output so far, for failure messages. */
  output(): string;
  close(): Promise<void>;
}

/**
 * Starts `prometheus-alertmanager` with a route to a receiver that sends nothing, no gossip port,
 * and the given resolve_timeout (which only applies to alerts posted without endsAt).
 */
export async function startAlertmanager(opts: { resolveTimeout?: string } = {}): Promise<TestAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'spm-am-'));
  const port = await freePort();
  writeFileSync(join(dir, 'alertmanager.yml'), `global:
  resolve_timeout: ${opts.resolveTimeout ?? '5m'}
route:
  receiver: nowhere
  group_by: [alertname, account]
receivers:
  - name: nowhere
`);
  let out = '';
  const proc: ChildProcess = spawn('prometheus-alertmanager', [
    `--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((res) => proc.once('exit', () => res()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`alertmanager ready on ${url}`, async () => (await fetch(`${url}/-/ready`).catch(() => null))?.ok, 20000);
  return {
    url,
    alerts: async () => {
      const res = await fetch(`${url}/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true`);
      if (!res.ok) throw new Error(`GET /api/v2/alerts: ${res.status}`);
      return (await res.json()) as AmAlert[];
    },
    output: () => out,
    close: async () => {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
