import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './free-port';
import { waitFor } from './wait-for';

/** A Debian `prometheus` or `prometheus-alertmanager` process on a free loopback port. */
export interface RealServer {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

function startServer(binary: string, args: (port: number, dir: string) => string[], ready: string): Promise<RealServer> {
  return (async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), `spm-${binary}-`));
    let out = '';
    const proc: ChildProcess = spawn(binary, args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
    proc.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor(`${binary} to be ready`, async () => proc.exitCode === null && (await fetch(`${url}${ready}`)).ok, 30_000, 200);
    } catch (err) {
      proc.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\n${out}`);
    }
    return {
      url,
      output: () => out,
      stop: async () => {
        if (proc.exitCode === null) proc.kill('SIGTERM');
        await exited;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  })();
}

/** Starts Prometheus with `config` (written as YAML next to `files`, e.g. the rule file). */
export async function startPrometheus(config: object, files: Record<string, string>, flags: string[] = []): Promise<RealServer> {
  const confDir = mkdtempSync(join(tmpdir(), 'spm-prometheus-conf-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(confDir, name), text);
  writeFileSync(join(confDir, 'prometheus.yml'), stringify(config));
  const server = await startServer('prometheus', (port, dir) => [
    `--config.file=${join(confDir, 'prometheus.yml')}`, `--storage.tsdb.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`, ...flags,
  ], '/-/ready');
  return { ...server, stop: async () => { await server.stop(); rmSync(confDir, { recursive: true, force: true }); } };
}

/** Starts Alertmanager with `config`, without gossip (no cluster port). */
export async function startAlertmanager(config: object): Promise<RealServer> {
  const confDir = mkdtempSync(join(tmpdir(), 'spm-alertmanager-conf-'));
  writeFileSync(join(confDir, 'alertmanager.yml'), stringify(config));
  const server = await startServer('prometheus-alertmanager', (port, dir) => [
    `--config.file=${join(confDir, 'alertmanager.yml')}`, `--storage.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=',
  ], '/-/ready');
  return { ...server, stop: async () => { await server.stop(); rmSync(confDir, { recursive: true, force: true }); } };
}

/** One result of a Prometheus instant query. */
export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

/** Runs an instant query; throws with Prometheus' error. */
export async function promQuery(prometheus: string, query: string): Promise<PromSample[]> {
  const res = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { status: string; error?: string; data: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`query failed: ${body.error}: ${query}`);
  if (body.data.resultType !== 'vector') throw new Error(`not a vector (${body.data.resultType}): ${query}`);
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

/** An alert as Alertmanager's API v2 shows it. */
export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[]; silencedBy: string[] };
  fingerprint: string;
}

/** Every alert Alertmanager holds now. */
export async function amAlerts(alertmanager: string): Promise<AmAlert[]> {
  return (await (await fetch(`${alertmanager}/api/v2/alerts`)).json()) as AmAlert[];
}

/** One alert of a webhook notification (what a person's receiver gets). */
export interface Notified {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** A webhook receiver for Alertmanager: records every notification, each with the time it arrived. */
export interface WebhookReceiver {
  url: string;
  notifications: { at: number; status: string; alerts: Notified[] }[];
  close(): Promise<void>;
}

/** Starts a WebhookReceiver on a free loopback port. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const notifications: WebhookReceiver['notifications'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => { body += d.toString(); });
    req.on('end', () => {
      const n = JSON.parse(body) as { status: string; alerts: Notified[] };
      notifications.push({ at: Date.now(), status: n.status, alerts: n.alerts.map((a) => ({ status: a.status, labels: a.labels, annotations: a.annotations })) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    notifications,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
