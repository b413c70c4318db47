import { createServer, type Server, type Socket } from 'node:net';
import { DeliveryFailedError } from '../../src/errors';
import { email } from '../../src/alerts/channels/email';
import { Secret } from '../../src/config/secret';
import type { NotificationRecord } from '../../src/alerts/alert-types';

/** A mail server that accepts the connection and never says hello: the channel must give up after its own timeout, not nodemailer's 30 s. */
describe('e-mail channel timeouts', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let port = 0;
  beforeAll(async () => {
    server = createServer((s) => { sockets.push(s); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('gives up on a silent server after the configured timeout', async () => {
    const record = { id: 'main.balance.balance.1', kind: 'firing', account: 'main', rule: 'balance', service: 'balance', severity: 'critical',
      previousSeverity: 'ok', value: 1, threshold: 2, valueText: '1.00 USD', thresholdText: '2 USD', headline: 'balance 1.00 USD is below 2 USD',
      sinceMs: 0, createdMs: 0, runwayMs: null, recent: [] } as NotificationRecord;
    const cfg = email.build({ smtpUrl: new Secret(`smtp://127.0.0.1:${port}`), from: 'm@example.com', to: ['ops@example.com'] } as never);
    const started = Date.now();
    const sent = email.send(cfg, record, { recipients: () => ['ops@example.com'], timeoutMs: 800, now: Date.now });
    await expect(sent).rejects.toBeInstanceOf(DeliveryFailedError);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
