import { startTestApi, TestApi } from './support/test-api';

describe('operator endpoints', () => {
  describe('with a Bull Board password configured', () => {
    let api: TestApi;
    const password = 'correct horse battery';
    beforeAll(async () => {
      api = await startTestApi({ label: 'admin', env: { BULL_BOARD_USERNAME: 'ops', BULL_BOARD_PASSWORD: password } });
    });
    afterAll(() => api?.stop());

    it('asks for credentials and refuses wrong ones on /admin/queues', async () => {
      await api.request().get('/admin/queues').expect(401).expect('WWW-Authenticate', /Basic/);
      await api.request().get('/admin/queues').auth('ops', 'wrong password!!').expect(401);
      // A user's JWT is not an operator credential.
      const user = await api.registerUser();
      await user.get('/admin/queues').expect(401);
    });

    it('serves Bull Board with the three queues to the operator', async () => {
      const page = await api.request().get('/admin/queues').auth('ops', password).expect(200);
      expect(page.text).toContain('<html');
      const queues = await api.request().get('/admin/queues/api/queues').auth('ops', password).expect(200);
      const names = (queues.body.queues as { name: string }[]).map((q) => q.name).sort();
      expect(names).toEqual(['analysis-requests', 'code_queue', 'down-monitors']);
    });

    it('exposes Prometheus metrics with queue depths', async () => {
      const res = await api.request().get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(/text\/plain/);
      expect(res.text).toMatch(/epitrace_queue_jobs\{queue="analysis-requests",state="waiting",app="api"\} \d+/);
      expect(res.text).toContain('epitrace_process_resident_memory_bytes');
    });
  });

  describe('without a Bull Board password', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startTestApi({ label: 'noadmin' });
    });
    afterAll(() => api?.stop());

    it('does not mount Bull Board at all', async () => {
      await api.request().get('/admin/queues').expect(404);
    });
  });
});
