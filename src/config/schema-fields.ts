import { z } from 'zod';
import { readSecretFile } from './read-secret-file';
import type { Secret } from './secret';
import * as p from './value-parsers';
import type { Parsed, Parser } from './value-parsers';

/**
 * The zod building blocks of the config schema, shared by src/config/schema.ts and the channel
 * files in src/alerts/channels/ (each owns its section of `alerts:`). Every leaf goes through a
 * value parser, so messages are ours and never quote a secret.
 */

/** A field read by `parse`; missing is "is required" unless wrapped in optional()/default(). */
export function field<T>(parse: Parser<T>) {
  return z.unknown().transform((input, ctx): T => {
    const r = input === undefined ? { ok: false as const, problem: 'is required' } : parse(input);
    if (r.ok) return r.value;
    ctx.issues.push({ code: 'custom', message: r.problem, input });
    return z.NEVER;
  });
}

/** A `...File` key read from `baseDir`: the file's content as a Secret, checked by `content` when given (never quoted). */
export function secretFile(baseDir: string, content?: Parser<Secret>) {
  return field((input): Parsed<Secret> => {
    const path = p.text()(input);
    if (!path.ok) return path;
    const read = readSecretFile(path.value, baseDir);
    if (!read.ok || !content) return read;
    const checked = content(read.value.reveal());
    return checked.ok ? checked : { ok: false, problem: `the content of ${path.value} ${checked.problem}` };
  });
}

/** A list of `parse` values (one problem per bad entry). */
export function list<T>(parse: Parser<T>) {
  return z.array(field(parse));
}
