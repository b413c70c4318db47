import type { CliProcess } from './monitor-env';

/** A pino line of a process's output, parsed. */
export type LogRecord = Record<string, unknown> & { level: number; msg: string };

/**
 * Every line of `output` (stdout and stderr together), parsed as JSON; throws naming the first line
 * that is not a JSON object: a process that logs JSON must not let a library print plain text or a
 * stack trace between its lines. A last line still being written (no newline yet) is left out.
 */
export function allJson(output: string): LogRecord[] {
  const lines = output.split('\n');
  lines.pop();
  return lines.filter((l) => l.trim() !== '').map((line) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`not a JSON line: ${line.slice(0, 300)}`);
    }
    if (typeof parsed !== 'object' || parsed === null) throw new Error(`not a JSON object: ${line.slice(0, 300)}`);
    return parsed as LogRecord;
  });
}

/** The records whose message matches `re`. */
export function linesMatching(records: LogRecord[], re: RegExp): LogRecord[] {
  return records.filter((r) => re.test(String(r.msg)));
}

/** Sends `signal` and resolves with the exit code and how long the process took to end, ms. */
export async function stopWith(p: CliProcess, signal: NodeJS.Signals): Promise<{ code: number | string; ms: number }> {
  const t0 = Date.now();
  p.proc.kill(signal);
  const code = await p.exited;
  return { code, ms: Date.now() - t0 };
}
