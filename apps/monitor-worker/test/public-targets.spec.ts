import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { HttpChecker } from '../src/checks/http-checker';
import { isPublicAddress } from '../src/checks/public-address.guard';
import { loadMonitorWorkerConfig } from '../src/config/monitor-worker.config';
import { checkTarget } from './support/worker-harness';

describe('CHECK_PUBLIC_TARGETS_ONLY (SSRF guard for multi-tenant installs)', () => {
  let server: Server;
  let requests = 0;
  let port = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      requests++;
      res.end('internal admin page');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('classifies loopback, private, link-local, CGNAT and mapped addresses as not public', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', 'not-an-ip']) {
      expect({ address, public: isPublicAddress(address) }).toEqual({ address, public: false });
    }
    for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2001:4860:4860::8888', '::ffff:8.8.4.4']) {
      expect({ address, public: isPublicAddress(address) }).toEqual({ address, public: true });
    }
  });

  it('refuses to reach a private address, also through a hostname that resolves to one, without sending a request', async () => {
    const checker = new HttpChecker(loadMonitorWorkerConfig({ NODE_ENV: 'test', CHECK_PUBLIC_TARGETS_ONLY: 'true' }));
    try {
      for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/admin`]) {
        const outcome = await checker.check(checkTarget(url));
        expect(outcome.status).toBe('DOWN');
        expect(outcome.errorMessage).toMatch(/is not public/);
      }
      expect(requests).toBe(0);
    } finally {
      await checker.onModuleDestroy();
    }
  });

  it('leaves private targets reachable when the switch is off (single-team installs)', async () => {
    const checker = new HttpChecker(loadMonitorWorkerConfig({ NODE_ENV: 'test' }));
    try {
      expect((await checker.check(checkTarget(`http://127.0.0.1:${port}/`))).status).toBe('UP');
      expect(requests).toBe(1);
    } finally {
      await checker.onModuleDestroy();
    }
  });
});
