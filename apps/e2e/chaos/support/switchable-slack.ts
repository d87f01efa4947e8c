import { createServer, Server } from 'node:http';
import type { Socket } from 'node:net';
import { getFreePort } from '@epitrace/testing';

/**
 * A Slack incoming-webhook receiver that can be taken off the network (connections refused, as
 * when the receiver or its proxy is down) and brought back on the same port.
 */
export class SwitchableSlack {
  readonly messages: { body: string; receivedAt: number }[] = [];
  port = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  url(name = 'chaosHook'): string {
    return `http://127.0.0.1:${this.port}/services/T0000/B0000/${name}`;
  }

  get isUp(): boolean {
    return this.server !== null;
  }

  async up(): Promise<void> {
    this.port = this.port || (await getFreePort());
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      this.messages.push({ body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now() });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
