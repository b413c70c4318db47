import { sampleBalanceDetail, sampleTeam, sampleUserInfo } from '../../src/simulator/default-accounts';
import { spawnCli, startMonitorEnv, type MonitorEnv } from '../helpers/monitor-env';

const RULES = `
alerts:
  rules:
    balance: { warning: 10, critical: 2 }
    tariffExpiry: { warning: 7d, critical: 1d }`;

describe('sendpulse-monitor check', () => {
  let env: MonitorEnv;
  beforeAll(async () => {
    env = await startMonitorEnv([
      { id: 'rich', apiKey: 'key-rich', userInfo: sampleUserInfo(1, 'A B'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(Date.now(), '50.00') },
      { id: 'low', apiKey: 'key-low', userInfo: sampleUserInfo(2, 'C D'), team: sampleTeam(), balanceDetail: sampleBalanceDetail(Date.now(), '5.00') },
      { id: 'broke', apiKey: 'key-broke', userInfo: sampleUserInfo(3, 'E F'), team: [], balanceDetail: sampleBalanceDetail(Date.now(), '1.00') },
    ]);
  });
  afterAll(() => env.close());

  const check = async (accounts: string, extra = RULES) => {
    const p = spawnCli(['check', '--config', env.writeConfig(accounts, extra)]);
    return { code: await p.exited, out: p.output() };
  };

  it('prints a table of every account and exits 0 when all is well', async () => {
    const { code, out } = await check(`
  - name: rich
    apiKey: key-rich`);
    expect(code).toBe(0);
    expect(out).toMatch(/ACCOUNT\s+BALANCE\s+EMAILS LEFT\s+SMTP LEFT\s+TARIFF ENDS\s+TEAM\s+ERRORS/);
    expect(out).toMatch(/rich\s+50\.00 USD\s+9914\s+11876 of 12000 \(987\.5 Mb of 1000 Mb\)\s+email \d{4}-\d\d-\d\d \(29d left\), smtp .*\s+3\s+ok/);
  });

  it('exits 1 (WARNING) and 2 (CRITICAL) by the alert rules, naming the problem', async () => {
    const warn = await check(`
  - name: low
    apiKey: key-low`);
    expect(warn.code).toBe(1);
    expect(warn.out).toContain('low: WARNING: ');
    const crit = await check(`
  - name: low
    apiKey: key-low
  - name: broke
    apiKey: key-broke`);
    expect(crit.code).toBe(2);
    expect(crit.out).toContain('broke: CRITICAL: ');
  });

  it('exits 2 when the credentials are rejected (the credentials rule), naming the endpoint and not the key', async () => {
    const { code, out } = await check(`
  - name: wrong
    apiKey: not-a-real-key-123`);
    expect(code).toBe(2);
    expect(out).toMatch(/wrong\s+-\s+-\s+-\s+-\s+-\s+user_info: .*API key was rejected/);
    expect(out).toContain('wrong: CRITICAL: ');
    expect(out).not.toContain('not-a-real-key-123');
  });

  it('exits 3 (UNKNOWN) when SendPulse cannot be read and no rule fires', async () => {
    env.sim.setFault({ kind: 'http_5xx', status: 502, account: 'rich' });
    try {
      const { code, out } = await check(`
  - name: rich
    apiKey: key-rich`);
      expect(code).toBe(3);
      expect(out).toMatch(/rich\s+-\s+-\s+-\s+-\s+-\s+user_info: HTTP 502/);
    } finally {
      env.sim.clearFaults();
    }
  });
});
