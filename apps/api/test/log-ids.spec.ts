import { monitorBody } from './support/fixtures';
import { startTestApi, TestApi, TestUser } from './support/test-api';

interface AccessLine {
  msg?: string;
  req?: { method: string; path: string };
  monitorId?: string;
  incidentId?: string;
  fixJobId?: string;
}

/** The access line of each request carries the ids its route names, also after the body was parsed. */
describe('api log lines carry the ids of the monitor, incident or fix job a request concerns', () => {
  let api: TestApi;
  let ann: TestUser;

  beforeAll(async () => {
    api = await startTestApi({ label: 'logids', env: { LOG_LEVEL: 'info' } });
    ann = await api.registerUser();
  });
  afterAll(() => api?.stop());

  const accessLines = (method: string, path: string): AccessLine[] =>
    api
      .logs()
      .map((l) => JSON.parse(l) as AccessLine)
      .filter((l) => l.req?.method === method && l.req.path === path);

  it('names the monitor on reads, JSON-body updates and actions, and on the webhook link routes', async () => {
    const id = (await ann.post('/monitor/create').send(monitorBody({ name: 'Ids' })).expect(201)).body.data.id as string;
    await ann.get(`/monitor/${id}`).expect(200);
    await ann.patch(`/monitor/${id}`).send({ name: 'Ids renamed' }).expect(200);
    await ann.get(`/monitor/${id}/history`).expect(200);
    await ann.post(`/monitor/pause/${id}`).expect(200);
    await ann.get(`/webhook/monitor/${id}`).expect(200);
    for (const [method, path] of [
      ['GET', `/monitor/${id}`],
      ['PATCH', `/monitor/${id}`],
      ['GET', `/monitor/${id}/history`],
      ['POST', `/monitor/pause/${id}`],
      ['GET', `/webhook/monitor/${id}`],
    ]) {
      expect(accessLines(method, path)).toEqual([expect.objectContaining({ monitorId: id })]);
    }
    // A line about no monitor carries none.
    expect(accessLines('POST', '/monitor/create')[0]).not.toHaveProperty('monitorId');
  });

  it('names the incident and the fix job, also when the answer is a 404', async () => {
    const incident = '0b7a3c2e-1f4d-4e5a-9b6c-7d8e9f0a1b2c';
    const fixJob = '1c8b4d3f-2a5e-4f6b-8c7d-8e9f0a1b2c3d';
    await ann.get(`/incidents/${incident}`).expect(404);
    await ann.get(`/fix-jobs/${fixJob}`).expect(404);
    expect(accessLines('GET', `/incidents/${incident}`)).toEqual([expect.objectContaining({ incidentId: incident })]);
    expect(accessLines('GET', `/fix-jobs/${fixJob}`)).toEqual([expect.objectContaining({ fixJobId: fixJob })]);
    await api.request().get(`/alert/fix-jobs/${fixJob}/status`).expect(401);
    expect(accessLines('GET', `/alert/fix-jobs/${fixJob}/status`)).toEqual([expect.objectContaining({ fixJobId: fixJob })]);
  });
});
