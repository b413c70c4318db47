import pino, { type Logger } from 'pino';

/**
 * The process logger: JSON lines on stderr (stdout stays free for command output such as the
 * `check` table). Config secrets are `Secret` objects that serialise as `[redacted]`; the redact
 * paths below are a second fence for headers and URLs that pass through error objects.
 */
export const logger: Logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { pid: process.pid },
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
