import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClineRunOptions, ClineRunResult } from '@epitrace/cline-runner';
import { QUEUES, jobIds } from '@epitrace/queue-contracts';
import { FIXED_PRICE_JS, SHOP_REPO_FILES, waitFor } from '@epitrace/testing';
import { ClineRunnerPort } from '../src/fix-jobs/cline.port';
import { CodeAgentHarness } from './support/code-agent-harness';

/** Works until it is told to stop (like the real runner when its signal aborts), or fixes at once. */
class ControllableCline implements ClineRunnerPort {
  hang = true;
  started = 0;

  async run(options: ClineRunOptions): Promise<ClineRunResult> {
    this.started++;
    const base = { text: 'Seed the order total with 0', exitCode: 0, signal: null, stderrTail: '', durationMs: 1, eventCount: 0 };
    if (!this.hang) {
      await writeFile(join(options.workdir, 'src/price.js'), FIXED_PRICE_JS);
      return { ...base, outcome: 'completed' };
    }
    await new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true }));
    return { ...base, outcome: 'cancelled', exitCode: null, signal: 'SIGINT' };
  }
}

describe('code-agent shutdown in the middle of a fix', () => {
  const harness = new CodeAgentHarness();
  const cline = new ControllableCline();

  const startAgent = () => harness.startAgent(cline, { enableShutdownHooks: true });

  beforeAll(async () => {
    await harness.start({ database: 'code_agent_shutdown', queuePrefix: 'code-shutdown', workDirPrefix: 'code-agent-shutdown-' });
    harness.github.addRepo('acme', 'shop', { defaultBranch: 'main' });
  });

  afterAll(async () => {
    await harness.stop();
  });

  it('stops the job, removes its workspace and hands it back without using an attempt; the next process finishes it', async () => {
    const repoLink = await harness.git.createRepo('acme', 'shop', SHOP_REPO_FILES);
    const seeded = await harness.seedIncident(repoLink);
    const first = await startAgent();
    await harness.enqueueFixJob(seeded);
    await waitFor(() => cline.started === 1, { what: 'Cline to start' });
    expect((await harness.fixJobRow(seeded.fixJobId)).status).toBe('fixing');

    await first.close();
    expect(await harness.fixJobRow(seeded.fixJobId)).toMatchObject({ status: 'queued', error: expect.stringContaining('shutdown') });
    const queued = await harness.queue(QUEUES.CODE).getJob(jobIds.codeJob(seeded.fixJobId));
    expect(['delayed', 'waiting']).toContain(await queued?.getState());
    expect(queued?.attemptsMade).toBe(0);
    expect(await readdir(harness.workDir)).toEqual([]);

    cline.hang = false;
    const second = await startAgent();
    try {
      const done = await harness.waitForFixJobToFinish(seeded.fixJobId, 'the handed-back job to finish');
      expect(done).toMatchObject({ status: 'done', attempts: 2 });
      expect(harness.github.pulls).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});
