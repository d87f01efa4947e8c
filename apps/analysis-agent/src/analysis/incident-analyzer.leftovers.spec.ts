import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ClineRunner } from '@epitrace/cline-runner';
import { SandboxUidPool } from '@epitrace/sandbox';
import type { AnalysisAgentConfig } from '../config/analysis-agent.config';
import { IncidentAnalyzer } from './incident-analyzer.service';

const TIMEOUT_MS = 600_000;
const HOUR = 3_600_000;

describe('IncidentAnalyzer at boot (a real work dir)', () => {
  let workDir: string;

  beforeEach(() => (workDir = mkdtempSync(join(tmpdir(), 'analysis-leftovers-'))));
  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  /** A checkout as a killed analysis leaves it: the tree, the context file, Cline's run dir with the provider key. */
  function checkout(name: string, ageMs: number): string {
    const root = join(workDir, name);
    mkdirSync(join(root, 'repo'), { recursive: true });
    mkdirSync(join(root, 'epitrace-cline-Ab12Cd', 'data', 'settings'), { recursive: true });
    writeFileSync(join(root, 'epitrace-cline-Ab12Cd', 'data', 'settings', 'providers.json'), '{"apiKey":"sk-left-behind"}', { mode: 0o600 });
    writeFileSync(join(root, 'epitrace-incident.md'), 'incident\n');
    const then = new Date(Date.now() - ageMs);
    utimesSync(root, then, then);
    return root;
  }

  it('removes the checkouts a killed process left, once older than any analysis can run, and no one else’s', async () => {
    const leftover = checkout('epitrace-analysis-0a1b2c3d-Xy12Ab', TIMEOUT_MS + 2 * HOUR);
    const running = checkout('epitrace-analysis-9f8e7d6c-Qw34Er', TIMEOUT_MS);
    const fixWorkspace = checkout('epitrace-fix-0a1b2c3d-Zz99Yy', TIMEOUT_MS + 2 * HOUR);
    const config = { ENCRYPTION_KEY: randomBytes(32).toString('base64'), ANALYSIS_WORK_DIR: workDir, ANALYSIS_TIMEOUT_MS: TIMEOUT_MS } as AnalysisAgentConfig;
    const analyzer = new IncidentAnalyzer({} as DataSource, {} as ClineRunner, new SandboxUidPool({ mode: 'none', count: 1 }, new Logger('spec')), config);

    analyzer.onApplicationBootstrap();
    // Shutdown waits for the pass under way.
    await analyzer.onApplicationShutdown();

    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(running)).toBe(true);
    expect(existsSync(fixWorkspace)).toBe(true);
  });
});
