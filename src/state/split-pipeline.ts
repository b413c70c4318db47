import type { ChainableCommander, Cluster, Redis } from 'ioredis';

/**
 * A pipeline split by shard: a Redis Cluster pipeline must stay on one master (ioredis: "same slots
 * allocation group"), and the shards (src/state/shards.ts) are on different ones. Commands are added
 * with the shard whose keys they touch (its index, or anything naming it: its key prefix), one command
 * per `add`; `exec` sends one pipeline per shard, all at once, and returns the replies in the order
 * added, throwing the first error a reply carries.
 */
export class SplitPipeline<Shard = number> {
  readonly #pipes = new Map<Shard, ChainableCommander>();
  readonly #counts = new Map<Shard, number>();
  readonly #order: [shard: Shard, index: number][] = [];

  constructor(private readonly redis: Redis | Cluster) {}

  /** Adds one command (`cmd` calls exactly one method of the pipeline) for `shard`. */
  add(shard: Shard, cmd: (pipe: ChainableCommander) => unknown): this {
    let pipe = this.#pipes.get(shard);
    if (!pipe) {
      pipe = this.redis.pipeline();
      this.#pipes.set(shard, pipe);
    }
    cmd(pipe);
    const n = this.#counts.get(shard) ?? 0;
    this.#counts.set(shard, n + 1);
    this.#order.push([shard, n]);
    return this;
  }

  /** The number of commands added. */
  get length(): number {
    return this.#order.length;
  }

  /** Runs every shard's pipeline at once; the replies in the order added. */
  async exec(): Promise<unknown[]> {
    const replies = new Map<Shard, unknown[]>();
    await Promise.all([...this.#pipes].map(async ([shard, pipe]) => {
      const res = ((await pipe.exec()) ?? []) as [Error | null, unknown][];
      replies.set(shard, res.map(([err, v]) => {
        if (err) throw err;
        return v;
      }));
    }));
    return this.#order.map(([shard, i]) => replies.get(shard)![i]);
  }
}
