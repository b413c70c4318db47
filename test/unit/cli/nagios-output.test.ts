import { atOrAboveRange, belowRange, formatPerfDatum, formatPluginOutput, worseStatus } from '../../../src/cli/nagios-output';
import { alerts, parsePerfItem, parsePluginOutput, parseRange } from '../../helpers/nagios-plugin-output';

describe('the plugin output reader (the test oracle) follows the guidelines', () => {
  it('reads the ranges of the guidelines\' table', () => {
    // https://www.monitoring-plugins.org/doc/guidelines.html#THRESHOLDFORMAT, "Example ranges"
    const cases: [string, number[], number[]][] = [
      ['10', [-1, 11], [0, 5, 10]],
      ['10:', [9.99, -5], [10, 1e9]],
      ['~:10', [10.5], [-1e9, 10]],
      ['10:20', [9, 21], [10, 15, 20]],
      ['@10:20', [10, 15, 20], [9, 21]],
    ];
    for (const [text, alerting, quiet] of cases) {
      const r = parseRange(text, 't');
      for (const v of alerting) expect([text, v, alerts(r, v)]).toEqual([text, v, true]);
      for (const v of quiet) expect([text, v, alerts(r, v)]).toEqual([text, v, false]);
    }
    expect(() => parseRange('20:10', 't')).toThrow('start is above end');
    expect(() => parseRange('1,5', 't')).toThrow('not a number');
  });

  it('reads perfdata items and refuses what the guidelines forbid', () => {
    expect(parsePerfItem("'/ used'=382MB;15264;15269;;")).toEqual({ label: '/ used', value: 382, uom: 'MB',
      warn: { start: 0, end: 15264, inside: false }, crit: { start: 0, end: 15269, inside: false } });
    expect(parsePerfItem("'it''s'=U")).toEqual({ label: "it's", value: null, uom: '' });
    expect(() => parsePerfItem("'x'=1,5")).toThrow();
    expect(() => parsePerfItem("'x'=1USD")).toThrow('unit "USD"');
    expect(() => parsePerfItem("'x'=1;2;3;4;5;6")).toThrow('more than 5 fields');
    expect(() => parsePluginOutput('OK all fine\n', 0)).toThrow('SERVICE STATE - text');
    expect(() => parsePluginOutput('X OK - fine\n', 2)).toThrow('exit code 2');
    expect(parsePluginOutput("X WARNING - low | 'a'=1;2:\nline 1\nline 2 | 'b'=3\n'c'=4s\n", 1)).toEqual({
      service: 'X', state: 'WARNING', text: 'low', longOutput: ['line 1', 'line 2 '],
      perfdata: [
        { label: 'a', value: 1, uom: '', warn: { start: 2, end: Infinity, inside: false } },
        { label: 'b', value: 3, uom: '' },
        { label: 'c', value: 4, uom: 's' },
      ],
    });
  });
});

describe('nagios-output', () => {
  it('writes perfdata the reader accepts, with below and at-or-above ranges that alert where the rules fire', () => {
    const balance = parsePerfItem(formatPerfDatum({ label: 'main_balance', value: 1.5, warn: belowRange(10), crit: belowRange(2) }));
    expect(formatPerfDatum({ label: 'main_balance', value: 1.5, warn: belowRange(10), crit: belowRange(2) })).toBe("'main_balance'=1.50;10:;2:");
    expect([alerts(balance.warn!, 1.5), alerts(balance.crit!, 1.5), alerts(balance.crit!, 2), alerts(balance.warn!, 10)]).toEqual([true, true, false, false]);
    const subs = parsePerfItem(formatPerfDatum({ label: 's', value: 9000, warn: atOrAboveRange(9000), crit: atOrAboveRange(9800), min: 0, max: 10000 }));
    expect([alerts(subs.warn!, 9000), alerts(subs.warn!, 8999), alerts(subs.crit!, 9000)]).toEqual([true, false, false]);
    expect(formatPerfDatum({ label: "a'b=c", value: 3, min: 0 })).toBe("'a_b_c'=3;;;0");
  });

  it('puts the status line first and keeps pipes out of the text and the long output', () => {
    const text = formatPluginOutput('SENDPULSE', 'CRITICAL', 'a | b\nc', [{ label: 'x', value: 1 }], ['t | u']);
    expect(text).toBe("SENDPULSE CRITICAL - a / b c | 'x'=1\nt / u");
    expect(parsePluginOutput(text, 2).longOutput).toEqual(['t / u']);
  });

  it('ranks CRITICAL over WARNING over UNKNOWN over OK', () => {
    expect(worseStatus('UNKNOWN', 'WARNING')).toBe('WARNING');
    expect(worseStatus('CRITICAL', 'UNKNOWN')).toBe('CRITICAL');
    expect(worseStatus('OK', 'UNKNOWN')).toBe('UNKNOWN');
  });
});
