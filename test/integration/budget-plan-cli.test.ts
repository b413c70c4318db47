import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/plan';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spm-plan-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `plan` in-process with its output captured. */
async function plan(yaml: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => { stdout += String(c); return true; });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => { stderr += String(c); return true; });
  try {
    const code = await main(['--config', file]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('sendpulse-monitor plan', () => {
  it('prints the table for the default budget and exits 0', async () => {
    const r = await plan('accounts:\n  - { name: main, apiKey: k3y-value }\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      'ACCOUNT  TIER  REQ/MIN  REQ/DAY  BUDGET/MIN  BUDGET/DAY  QUOTA/MIN  QUOTA/DAY  BALANCE  USER_INFO  TEAM  STATUS',
      'main     free  3        336      10          5000        0.30%      0.07%      5m       1h         1h    fits',
      '',
    ].join('\n'));
    expect(r.stderr).toBe('');
  });

  it('prints stretched intervals and warns, still exit 0', async () => {
    const r = await plan([
      'accounts:',
      '  - name: shop',
      '    clientId: id-1',
      '    clientSecret: s3cret-value',
      '    plan: standard',
      '    budget: { perMinute: 10, perDay: 300 }',
    ].join('\n'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('shop     standard  4        300      10          300         0.20%      0.03%      6m11s    1h14m      1h14m  stretched x1.23');
    expect(r.stderr).toBe('warning: account "shop": the configured intervals would make 4 requests/min and 363/day against a budget of 10/min and 300/day; '
      + 'stretched x1.23 from userInfo 1h, team 1h, balance 5m to userInfo 1h14m, team 1h14m, balance 6m11s (4/min, 300/day)\n');
  });

  it('exits 1 with the numbers and the smallest fitting intervals when a refuse account does not fit', async () => {
    const r = await plan([
      'accounts:',
      '  - { name: main, apiKey: k3y-value }',
      '  - name: strict',
      '    apiKey: k3y-value',
      '    intervals: { balance: 1m }',
      '    budget: { perDay: 1000, onOverflow: refuse }',
    ].join('\n'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('strict   free  3        1488');
    expect(r.stderr).toBe('accounts[1].budget: account "strict" would make 3 requests/min and 1488/day against a budget of 10/min and 1000/day '
      + '(onOverflow: refuse); intervals userInfo 1h, team 1h, balance 1m; the smallest intervals that fit: userInfo 1h29m, team 1h29m, balance 1m30s\n');
    expect(r.stderr + r.stdout).not.toMatch(/k3y-value/);
  });

  it('exits 1 with the loader\'s problems for an invalid file', async () => {
    const r = await plan('accounts:\n  - { name: main, apiKey: k, intervals: { balance: 5x } }\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/accounts\[0\]\.intervals\.balance/);
  });
});
