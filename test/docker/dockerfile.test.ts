import { spawn, spawnSync } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
/** Dockerfile instructions with continuation lines joined and comments dropped. */
const instructions = dockerfile
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const stages = instructions.filter((l) => l.startsWith('FROM '));
const finalStage = instructions.slice(instructions.lastIndexOf(stages[stages.length - 1]));

describe('Dockerfile', () => {
  it('builds on a Node LTS slim image pinned to an exact version', () => {
    const arg = instructions.find((l) => l.startsWith('ARG NODE_IMAGE='))!;
    expect(arg).toMatch(/^ARG NODE_IMAGE=node:(22|24)\.\d+\.\d+-bookworm-slim$/);
    expect(stages.every((s) => s.startsWith('FROM ${NODE_IMAGE}'))).toBe(true);
  });

  it('keeps dev dependencies and sources out of the final stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(instructions).toContain('RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force');
    const copies = finalStage.filter((l) => l.startsWith('COPY'));
    expect(copies.every((c) => c.startsWith('COPY --from='))).toBe(true);
    expect(copies.join('\n')).toContain('/src/dist ./dist');
    expect(copies.join('\n')).not.toMatch(/COPY --from=build \S*node_modules/);
  });

  it('runs as a non-root numeric user under tini, with the CLI as entrypoint and run as default command', () => {
    expect(finalStage).toContain('USER 10001:10001');
    expect(finalStage).toContain('ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/src/cli/index.js"]');
    expect(finalStage).toContain('CMD ["run"]');
    expect(finalStage.join('\n')).toContain('apt-get install -y --no-install-recommends tini');
  });

  it('has a HEALTHCHECK that uses node against /healthz, not curl', () => {
    const hc = finalStage.find((l) => l.startsWith('HEALTHCHECK'))!;
    expect(hc).toContain('CMD ["node", "-e"');
    expect(hc).toContain('/healthz');
    expect(hc).not.toContain('curl');
  });

  const healthScript = (): string => JSON.parse(finalStage.find((l) => l.startsWith('HEALTHCHECK'))!.replace(/^.*?CMD /, ''))[2];

  it('has a healthcheck that fails when nothing listens', () => {
    const r = spawnSync('node', ['-e', healthScript()], { env: { ...process.env, PORT: '1' }, timeout: 10_000 });
    expect(r.status).toBe(1);
  });

  it('has a healthcheck that passes when /healthz answers 200 and fails on 503', async () => {
    let status = 200;
    const paths: string[] = [];
    const server = http.createServer((req, res) => (paths.push(req.url ?? ''), res.writeHead(status).end()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = String((server.address() as AddressInfo).port);
    const run = () =>
      new Promise<number | null>((resolve) => spawn('node', ['-e', healthScript()], { env: { ...process.env, PORT: port } }).on('exit', resolve));
    try {
      expect(await run()).toBe(0);
      status = 503;
      expect(await run()).toBe(1);
      expect(paths).toEqual(['/healthz', '/healthz']);
    } finally {
      server.close();
    }
  });

  it('leaves tests, the chart and local build output out of the build context', () => {
    const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['.git', 'node_modules', 'dist', 'test', 'helm', '.cache']) expect(ignored).toContain(p);
  });
});
