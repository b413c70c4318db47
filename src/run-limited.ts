/**
 * Runs `tasks` with at most `limit` in flight at once (each lane starts the next task when its
 * current one ends), resolving when all have finished; the first failure rejects (the others in
 * flight still run). For bounded fan-out of Redis calls (moving keys, removing job schedulers).
 */
export async function runLimited(tasks: readonly (() => Promise<unknown>)[], limit: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
}
