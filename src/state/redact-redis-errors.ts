import { ReplyError } from 'ioredis';

/** Commands whose arguments carry a password (AUTH pass, AUTH user pass, HELLO 3 AUTH user pass). */
const SECRET_COMMANDS = new Set(['auth', 'hello']);
let installed = false;

/**
 * Makes every Redis error hide the arguments of AUTH and HELLO. ioredis copies a failed command onto
 * its error (`err.command = { name, args }`, DataHandler.returnError), so a wrong password would
 * otherwise reach any log line or console.error that prints the error object (pino's err
 * serializer, BullMQ's fallback `console.error(err)`). Installed once, on the base class of all
 * ioredis errors (redis-errors' RedisError), so connections that BullMQ duplicates are covered too.
 */
export function redactRedisErrors(): void {
  if (installed) return;
  installed = true;
  const base = Object.getPrototypeOf(ReplyError.prototype) as object;
  Object.defineProperty(base, 'command', {
    configurable: true,
    get: () => undefined,
    // The assignment in ioredis lands here (an accessor on the prototype intercepts it); the error
    // gets an ordinary own property, with the secret arguments replaced.
    set(this: object, value: unknown) {
      const cmd = value as { name?: unknown; args?: unknown[] } | null;
      const redacted = cmd && typeof cmd.name === 'string' && SECRET_COMMANDS.has(cmd.name.toLowerCase()) && Array.isArray(cmd.args)
        ? { ...cmd, args: cmd.args.map(() => '[redacted]') }
        : value;
      Object.defineProperty(this, 'command', { value: redacted, enumerable: true, writable: true, configurable: true });
    },
  });
}
