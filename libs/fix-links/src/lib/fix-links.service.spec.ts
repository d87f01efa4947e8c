import { DataSource } from 'typeorm';
import { GithubToken, Incident, Monitor, MonitorGithubToken, User, buildDataSourceOptions } from '@epitrace/entities';
import { TestDatabase, createTestDatabase } from '@epitrace/testing';
import { FixLinkService } from './fix-links.service';
import { checkFixTokenSignature, signFixToken } from './fix-token';

const SECRET = 'a-fix-link-secret-that-is-long-enough-000';

describe('FixLinkService (real Postgres)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let service: FixLinkService;
  let monitor: Monitor;
  let user: User;

  beforeAll(async () => {
    db = await createTestDatabase('fix-links');
    dataSource = await new DataSource(buildDataSourceOptions({ url: db.url, poolSize: 4 })).initialize();
    service = new FixLinkService(dataSource, { secret: SECRET, publicUrl: 'https://epitrace.example.com/' });
    user = await dataSource.getRepository(User).save({ email: 'owner@example.com', passwordHash: 'x' });
    monitor = await dataSource.getRepository(Monitor).save({
      userId: user.id,
      name: 'api',
      url: 'http://127.0.0.1:1/health',
      repoLink: 'https://github.com/acme/api',
      checkInterval: 30,
      timeout: 5,
    });
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const openIncident = () =>
    dataSource.getRepository(Incident).save({ monitorId: monitor.id, userId: user.id, state: 'resolved', openedAt: new Date() });

  it('makes a link to the trigger route whose token names the incident and expires in 24 hours', async () => {
    const incident = await openIncident();
    const now = new Date('2026-01-01T00:00:00Z');
    const link = await service.createFixLink(incident.id, now);
    expect(link.url).toBe(`https://epitrace.example.com/alert/trigger-agent?token=${encodeURIComponent(link.token)}`);
    expect(link.expiresAt.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    const verified = await service.verifyFixToken(link.token, new Date('2026-01-01T01:00:00Z'));
    expect(verified).toMatchObject({ status: 'valid', incidentId: incident.id, jti: link.jti });
  });

  it('hands out the same link again while it is unused and valid, and a new one once it is used', async () => {
    const incident = await openIncident();
    const first = await service.currentOrNewFixLink(incident.id);
    const again = await service.currentOrNewFixLink(incident.id);
    expect(again.url).toBe(first.url);
    expect((await service.claimFixToken(again.token)).status).toBe('claimed');
    const next = await service.currentOrNewFixLink(incident.id);
    expect(next.jti).not.toBe(first.jti);
    expect((await service.verifyFixToken(next.token)).status).toBe('valid');
  });

  it('lets a token be claimed exactly once, even by concurrent clicks', async () => {
    const incident = await openIncident();
    const link = await service.createFixLink(incident.id);
    const results = await Promise.all(Array.from({ length: 5 }, () => service.claimFixToken(link.token)));
    expect(results.filter((r) => r.status === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'used')).toHaveLength(4);
    expect((await service.verifyFixToken(link.token)).status).toBe('used');
  });

  it('refuses an expired token', async () => {
    const incident = await openIncident();
    const link = await service.createFixLink(incident.id, new Date(Date.now() - 25 * 3600_000));
    expect((await service.claimFixToken(link.token)).status).toBe('expired');
    expect((await service.verifyFixToken(link.token)).status).toBe('expired');
  });

  it('tells a forged, tampered or malformed token apart from an unknown one', async () => {
    const incident = await openIncident();
    const link = await service.createFixLink(incident.id);
    const [v, body, sig] = link.token.split('.');
    const otherIncident = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), inc: monitor.id })).toString('base64url');
    expect(await service.claimFixToken(`${v}.${otherIncident}.${sig}`)).toEqual({ status: 'invalid', reason: 'bad signature' });
    expect(await service.claimFixToken(signFixToken({ jti: link.jti, incidentId: incident.id, expiresAt: link.expiresAt }, 'another-secret-of-at-least-32-chars!!'))).toEqual({
      status: 'invalid',
      reason: 'bad signature',
    });
    expect(await service.claimFixToken('not-a-token')).toEqual({ status: 'invalid', reason: 'malformed token' });
    expect(await service.claimFixToken('v1..')).toEqual({ status: 'invalid', reason: 'malformed token' });
    const unknown = signFixToken({ jti: '00000000-0000-4000-8000-000000000000', incidentId: incident.id, expiresAt: new Date(Date.now() + 60_000) }, SECRET);
    expect((await service.claimFixToken(unknown)).status).toBe('unknown');
    expect((await service.claimFixToken(link.token)).status).toBe('claimed');
  });

  it('offers a fix only for a monitor with a repository and an active linked GitHub token', async () => {
    expect(await service.isFixAvailable(monitor.id)).toBe(false);
    const token = await dataSource.getRepository(GithubToken).save({ userId: user.id, tokenCiphertext: 'x', tokenLast4: 'abcd', isActive: false });
    await dataSource.getRepository(MonitorGithubToken).save({ monitorId: monitor.id, githubTokenId: token.id });
    expect(await service.isFixAvailable(monitor.id)).toBe(false);
    await dataSource.getRepository(GithubToken).update(token.id, { isActive: true });
    expect(await service.isFixAvailable(monitor.id)).toBe(true);
    await dataSource.getRepository(Monitor).update(monitor.id, { repoLink: null });
    expect(await service.isFixAvailable(monitor.id)).toBe(false);
  });
});

describe('checkFixTokenSignature', () => {
  it('accepts its own tokens and reports expiry without a database', () => {
    const claims = { jti: '11111111-1111-4111-8111-111111111111', incidentId: '22222222-2222-4222-8222-222222222222', expiresAt: new Date('2030-01-01T00:00:00Z') };
    const token = signFixToken(claims, SECRET);
    expect(checkFixTokenSignature(token, SECRET, new Date('2029-12-31T00:00:00Z'))).toEqual({ ok: true, claims });
    expect(checkFixTokenSignature(token, SECRET, new Date('2030-01-02T00:00:00Z'))).toMatchObject({ ok: false, status: 'expired' });
  });
});
