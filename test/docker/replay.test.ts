import { spawn } from 'node:child_process';
import * as path from 'node:path';

// No Docker engine on these machines: the image is checked by replaying the Dockerfile's steps.
describe('Dockerfile replay', () => {
  it('builds, installs production dependencies only, and runs the worker as uid 10001 against the simulator until SIGTERM', async () => {
    const script = path.join(__dirname, 'replay-dockerfile.sh');
    let log = '';
    const code = await new Promise<number | null>((resolve) => {
      const p = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
      p.stdout.on('data', (d) => (log += d));
      p.stderr.on('data', (d) => (log += d));
      p.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`replay failed (exit ${code}):\n${log.slice(-4000)}`);
    expect(log).toContain('version 0.1.0');
    expect(log).toContain('replay ok');
  }, 240_000);
});
