import { request } from 'undici';

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves once `<url>/readyz` answers 200 and returns the ms that took; throws after `timeoutMs`. */
export async function waitReady(url: string, timeoutMs = 300_000): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    try {
      const res = await request(`${url}/readyz`);
      await res.body.dump();
      if (res.statusCode === 200) return Date.now() - t0;
    } catch { /* not listening yet */ }
    if (Date.now() - t0 > timeoutMs) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await sleep(200);
  }
}
