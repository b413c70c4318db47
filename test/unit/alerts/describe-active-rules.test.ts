import { describeActiveRules } from '../../../src/alerts/describe-active-rules';
import { loadConfig } from '../../../src/config/load-config';
import { tempConfigDir } from '../config/config-files';

const NO_VALUE_RULE = 'no value rule: balance, emailsLeft, smtpEmailsLeft, smtpTraffic, subscribers, runway are off until alerts.rules gives their thresholds';

describe('describeActiveRules', () => {
  const t = tempConfigDir();
  afterAll(() => t.cleanup());

  it('lists the default rules and says plainly that no value rule is on', () => {
    const [account] = loadConfig({ file: t.write('a.yaml', 'accounts:\n  - { name: main, apiKey: k }\n'), env: {} }).accounts;
    expect(describeActiveRules(account)).toEqual({
      rules: ['tariffExpiry below 7d/1d', 'credentials', 'stale', 'unreadable'],
      noValueRule: true,
      summary: `rules: tariffExpiry below 7d/1d, credentials, stale, unreadable (levels are warning/critical); ${NO_VALUE_RULE}`,
    });
  });

  it('lists every rule with its levels in its unit, the account overrides merged', () => {
    const [main, quiet] = loadConfig({ file: t.write('b.yaml', `
accounts:
  - { name: main, apiKey: k, alerts: { rules: { balance: { critical: 1 } } } }
  - name: quiet
    apiKey: k
    alerts: { rules: { balance: false, emailsLeft: false, smtpEmailsLeft: false, smtpTraffic: false, subscribers: false, runway: false, tariffExpiry: false, credentials: false, stale: false, unreadable: false } }
alerts:
  rules:
    balance: { warning: 10, critical: 2 }
    emailsLeft: { warning: 1000, critical: 100 }
    smtpEmailsLeft: { warning: 1000, critical: 10% }
    smtpTraffic: { warning: 500Mb, critical: 5% }
    subscribers: { warning: 0.9, critical: 0.985 }
    runway: { warning: 14d, critical: 3d }
`), env: {} }).accounts;
    const d = describeActiveRules(main);
    expect(d.rules).toEqual(['balance below 10/1', 'emailsLeft below 1000/100', 'smtpEmailsLeft below 1000/10%', 'smtpTraffic below 500 Mb/5%',
      'tariffExpiry below 7d/1d', 'subscribers at or above 90%/98.5%', 'runway below 14d/3d', 'credentials', 'stale', 'unreadable']);
    expect(d.noValueRule).toBe(false);
    expect(d.summary).not.toContain('no value rule');
    expect(describeActiveRules(quiet)).toEqual({ rules: [], noValueRule: true, summary: `no alert rule is on; ${NO_VALUE_RULE}` });
  });
});
