import pino, { type Logger } from 'pino';

/**
 * An error as a log field: type, message (first line) and code, never the stack. Operators read the
 * log for what happened; a stack is for a debugger, spreads over many lines in log viewers that do not
 * parse JSON, and may carry paths and arguments. Anything that is not an Error passes unchanged.
 */
export function errorField(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const out: Record<string, unknown> = { type: err.name, message: err.message.split('\n')[0] };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  return out;
}

/**
 * The process logger: JSON lines on stderr (stdout stays free for command output such as the
 * `check` table). Config secrets are `Secret` objects that serialise as `[redacted]`; the redact
 * paths below are a second fence for headers and URLs that pass through error objects.
 */
export const logger: Logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { pid: process.pid },
  serializers: { err: errorField },
  redact: {
    paths: ['authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
      'apiKey', '*.apiKey', 'clientSecret', '*.clientSecret', 'access_token', '*.access_token', 'password', '*.password'],
    censor: '[redacted]',
  },
}, pino.destination(2));

/** A child logger for one component (`{ component: 'worker' }` ...). */
export function childLogger(bindings: Record<string, unknown>): Logger {
  return logger.child(bindings);
}
