import { gzipSync } from 'node:zlib';
import { flatString } from './text-format';

/** Pieces of text are gathered to about this size before a write, so a 40 MB body is a few hundred writes, not 250,000. */
const PIECE = 64 * 1024;

/** A piece of a /metrics answer: its text in pieces (streamed, never joined), and the same as one gzip member. */
export interface ExpositionChunk {
  /** The text, in pieces of about 64 KiB. */
  pieces(): Iterable<string>;
  /** The text as one gzip member (cached by families until they change). */
  gzip(): Promise<Buffer>;
}

/** Gathers small strings into pieces of about PIECE characters. */
function* gathered(parts: Iterable<string>): Iterable<string> {
  let buf = '';
  for (const p of parts) {
    buf += p;
    if (buf.length >= PIECE) {
      yield buf;
      buf = '';
    }
  }
  if (buf !== '') yield buf;
}

/**
 * Compresses pieces into one gzip member. Joined for one synchronous zlib call (a fraction of the
 * time of streaming small pieces through zlib's thread pool); the joined string is garbage right after.
 */
function gzipPieces(pieces: Iterable<string>): Buffer {
  let all = '';
  for (const p of pieces) all += p;
  return gzipSync(all, { level: 1 });
}

/**
 * One metric family kept between scrapes. Its samples are produced by `eachSample` (from per-account
 * text, or from counter values), streamed for a plain scrape, and compressed into a gzip member that is
 * kept until the family changes: at 10,000 accounts a gzip scrape sends a few dozen cached members
 * instead of formatting and compressing ~40 MB of text. Members concatenate into a valid gzip stream
 * (RFC 1952, 2.2), which is how a scrape sends them one after the other.
 */
export abstract class TextFamily implements ExpositionChunk {
  #gzip: Buffer | null = null;

  /** `type` is the Prometheus type; `help` the HELP text (one line). */
  constructor(readonly name: string, readonly help: string, readonly type: 'gauge' | 'counter') {}

  /** Every sample line (each ending in a newline), in order. */
  protected abstract samples(): Iterable<string>;

  /** Drops the cached gzip member; the next gzip scrape compresses the family again. */
  protected changed(): void {
    this.#gzip = null;
  }

  *#all(): Iterable<string> {
    yield `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} ${this.type}\n`;
    yield* this.samples();
  }

  /** The family in the text format, in pieces. */
  pieces(): Iterable<string> {
    return gathered(this.#all());
  }

  /** The whole family as one string (tests, small families). */
  text(): string {
    return [...this.pieces()].join('');
  }

  /** The family as one gzip member, kept until it changes. */
  async gzip(): Promise<Buffer> {
    this.#gzip ??= gzipPieces(this.pieces());
    return this.#gzip;
  }
}

/** A TextFamily whose samples are kept as text per account (the gauges read from Redis). */
export class CachedFamily extends TextFamily {
  readonly #byAccount = new Map<string, string>();

  /** Sets one account's sample lines (each ending in a newline; "" for none); a change drops the cached gzip member. */
  set(account: string, samples: string): void {
    if (this.#byAccount.get(account) === samples) return;
    // Kept until the account changes again: flat, not the rope its rendering built (text-format.ts).
    this.#byAccount.set(account, flatString(samples));
    this.changed();
  }

  /** Drops an account's samples. */
  delete(account: string): void {
    if (this.#byAccount.delete(account)) this.changed();
  }

  /** The account's sample lines, or undefined. */
  get(account: string): string | undefined {
    return this.#byAccount.get(account);
  }

  protected samples(): Iterable<string> {
    return this.#byAccount.values();
  }
}

/** A chunk for text computed per scrape (prom-client's registry): compressed when asked. */
export function freshChunk(text: string): ExpositionChunk {
  return { pieces: () => [text], gzip: async () => gzipSync(text, { level: 1 }) };
}
