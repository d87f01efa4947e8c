import { chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import { Incident } from '@epitrace/entities';
import { processesOfUid } from '@epitrace/sandbox';
import { waitFor } from '@epitrace/testing';
import { IncidentEventsService } from '../src/incidents/incident-events.service';
import { AnalysisAgentHarness } from './support/analysis-agent-harness';

/** Ids no other spec file uses: the agent's pool kills every process of its uids. */
const SANDBOX_BASE = 61_400;

(process.getuid?.() === 0 ? describe : describe.skip)('analysis-agent with SANDBOX_MODE=user (the service runs as root)', () => {
  const h = new AnalysisAgentHarness();

  beforeAll(async () => {
    await h.start({ SANDBOX_MODE: 'user', SANDBOX_UID: String(SANDBOX_BASE), SANDBOX_GID: String(SANDBOX_BASE), SANDBOX_ID_COUNT: '2', ANALYSIS_AGENT_CONCURRENCY: '2' });
    // The harness's cline wrapper sits in a private temp dir; the sandbox users must be able to run it.
    chmodSync(dirname(h.config.CLINE_BIN as string), 0o755);
  }, 120_000);
  afterAll(() => h.stop());

  it('analyses two incidents at once, each as a uid of its own, and leaves nothing running as either', async () => {
    h.setCline({ FAKE_CLINE_SCENARIO: 'slow', FAKE_CLINE_DELAY_MS: '3000' });
    const seeded = [await h.seedIncident(), await h.seedIncident()];
    const events = h.app.get(IncidentEventsService);
    const analysed = Promise.all(seeded.map((s) => events.monitorDown(s.incident.id)));

    // Both Cline runs are under way together, one as each uid of the range.
    await waitFor(async () => (await processesOfUid(SANDBOX_BASE)).length > 0 && (await processesOfUid(SANDBOX_BASE + 1)).length > 0, {
      what: 'a Cline run as each sandbox uid',
    });
    await analysed;

    for (const s of seeded) {
      const incident = await h.dataSource.getRepository(Incident).findOneByOrFail({ id: s.incident.id });
      expect(incident.analysisStatus).toBe('completed');
    }
    expect([...(await processesOfUid(SANDBOX_BASE)), ...(await processesOfUid(SANDBOX_BASE + 1))]).toEqual([]);
  });
});
