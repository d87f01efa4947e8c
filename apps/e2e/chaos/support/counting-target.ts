import { createServer, Server } from 'node:http';
import { getFreePort } from '@epitrace/testing';

/** A local HTTP target that counts the requests it gets per path, and fails the paths the test names. */
export class CountingTarget {
  readonly failing = new Set<string>();
  readonly requests = new Map<string, number>();
  port = 0;
  private server: Server | null = null;

  async start(): Promise<void> {
    this.port = await getFreePort();
    const server = createServer((req, res) => {
      const id = (req.url ?? '/').slice(1);
      this.requests.set(id, (this.requests.get(id) ?? 0) + 1);
      res.statusCode = this.failing.has(id) ? 500 : 200;
      res.end(res.statusCode === 200 ? 'ok' : 'pool exhausted');
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
  }

  url(id: string): string {
    return `http://127.0.0.1:${this.port}/${id}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
