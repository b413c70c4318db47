/**
 * Runs `close` and waits for it at most `ms`: true when it finished in time, false when it did not or
 * failed. Shutdown steps use it so that one stuck close (a BullMQ worker waiting on a Redis that is
 * gone) cannot hold the process past the 10 s a SIGTERM allows.
 */
export async function closeWithin(ms: number, close: () => Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([close().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
