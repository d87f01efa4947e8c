import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ClineRunner } from '@epitrace/cline-runner';
import { AnalysisStatus, GithubToken, Incident, IncidentAnalysis, Monitor, MonitorCheck } from '@epitrace/entities';
import { APP_CONFIG } from '@epitrace/nest-common';
import { CheckoutError, RepoCheckout } from '@epitrace/repo-checkout';
import { LeftoverDirSweeper, SandboxLease, SandboxUidPool } from '@epitrace/sandbox';
import { SecretCipher, redactSecrets } from '@epitrace/secrets';
import type { AnalysisAgentConfig } from '../config/analysis-agent.config';
import { CONTEXT_FILE_NAME, analysisPrompt, incidentContextMarkdown } from './analysis-prompt';
import { parseAnalysis } from './parse-analysis';

export interface AnalysisOutcome {
  status: Extract<AnalysisStatus, 'completed' | 'failed' | 'timed_out' | 'skipped'>;
  analysis?: IncidentAnalysis;
  /** One sentence for people: why there is no analysis. */
  error?: string;
}

const RECENT_CHECKS = 20;
const TERMINAL = new Set<string>(['completed', 'failed', 'timed_out', 'skipped']);
/** A running analysis touches its incident this often… */
const HEARTBEAT_MS = 15_000;
/** …and one silent for this long has lost its worker. */
const STALE_CLAIM_MS = 60_000;
const WAIT_POLL_MS = 500;
/** Checkouts are `epitrace-analysis-<incident>-XXXXXX`: RepoCheckout puts `epitrace-` before the label. */
const CHECKOUT_LABEL = 'analysis-';
/** An analysis holds its checkout for at most ANALYSIS_TIMEOUT_MS plus the kill grace and clean-up: this is ample. */
const CHECKOUT_AGE_MARGIN_MS = 3_600_000;
const LEFTOVER_SWEEP_INTERVAL_MS = 3_600_000;

/**
 * Clones the monitor's repository, lets Cline read it in plan mode (no file edits) with the
 * incident as a context file, and stores the structured answer on the incident.
 *
 * A checkout holds the context file and the Cline run's directory (the provider key in it for
 * base-URL providers). A killed process leaves it behind: checkouts older than any analysis can
 * run are removed at boot and every hour, by this process or any replica sharing the work dir.
 */
@Injectable()
export class IncidentAnalyzer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IncidentAnalyzer.name);
  private readonly cipher: SecretCipher;
  private readonly leftovers: LeftoverDirSweeper;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cline: ClineRunner,
    private readonly sandboxIds: SandboxUidPool,
    @Inject(APP_CONFIG) private readonly config: AnalysisAgentConfig,
  ) {
    this.cipher = new SecretCipher(config.ENCRYPTION_KEY);
    this.leftovers = new LeftoverDirSweeper(
      { what: 'checkout', parent: config.ANALYSIS_WORK_DIR || tmpdir(), prefix: `epitrace-${CHECKOUT_LABEL}`, olderThanMs: config.ANALYSIS_TIMEOUT_MS + CHECKOUT_AGE_MARGIN_MS },
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    this.leftovers.start(LEFTOVER_SWEEP_INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.leftovers.stop();
  }

  /**
   * Analyses the incident once, however many jobs ask at the same time (a retried job, a second
   * replica): the first claims it, the others wait for its result. A claim whose heartbeat stopped
   * (its worker died) is taken over.
   */
  async analyze(incident: Incident, monitor: Monitor): Promise<AnalysisOutcome> {
    while (!(await this.claim(incident.id))) {
      const row = await this.dataSource.getRepository(Incident).findOne({ where: { id: incident.id } });
      if (!row) return { status: 'failed', error: 'the incident no longer exists' };
      if (TERMINAL.has(row.analysisStatus)) {
        return { status: row.analysisStatus as AnalysisOutcome['status'], analysis: row.analysis ?? undefined, error: row.analysisError ?? undefined };
      }
      await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
    }
    const heartbeat = setInterval(() => {
      this.dataSource
        .query(`UPDATE incidents SET updated_at = now() WHERE id = $1 AND analysis_status = 'running'`, [incident.id])
        .catch((err: Error) => this.logger.warn({ incidentId: incident.id, monitorId: monitor.id, err: err.message }, `analysis heartbeat of incident ${incident.id} failed: ${err.message}`));
    }, HEARTBEAT_MS);
    const outcome = await this.run(incident, monitor)
      .catch((err: Error): AnalysisOutcome => {
        this.logger.error({ incidentId: incident.id, monitorId: monitor.id, err: err.message }, `analysis of incident ${incident.id} crashed: ${err.message}`);
        return { status: 'failed', error: `internal error: ${redactSecrets(err.message).slice(0, 300)}` };
      })
      .finally(() => clearInterval(heartbeat));
    await this.dataSource.getRepository(Incident).update(
      { id: incident.id },
      { analysisStatus: outcome.status, analysis: outcome.analysis ?? null, analysisError: outcome.error?.slice(0, 1000) ?? null, analysisCompletedAt: new Date() },
    );
    this.logger.log({ incidentId: incident.id, monitorId: monitor.id, analysisStatus: outcome.status }, `incident ${incident.id}: analysis ${outcome.status}${outcome.error ? ` (${outcome.error})` : ''}`);
    return outcome;
  }

  private async run(incident: Incident, monitor: Monitor): Promise<AnalysisOutcome> {
    if (!monitor.repoLink) return { status: 'skipped', error: 'no repository configured for this monitor' };
    const startedAt = Date.now();
    const token = await this.linkedToken(monitor);
    const known = [token, this.config.CLINE_API_KEY].filter((s): s is string => Boolean(s));

    let checkout: RepoCheckout;
    try {
      checkout = await RepoCheckout.clone({
        repo: monitor.repoLink,
        token,
        allowHttp: this.config.ALLOW_HTTP_REMOTES,
        depth: this.config.ANALYSIS_CLONE_DEPTH || undefined,
        timeoutMs: Math.min(this.config.ANALYSIS_CLONE_TIMEOUT_MS, this.config.ANALYSIS_TIMEOUT_MS),
        maxBytes: this.config.ANALYSIS_MAX_REPO_BYTES,
        workRoot: this.config.ANALYSIS_WORK_DIR || undefined,
        label: `${CHECKOUT_LABEL}${incident.id.slice(0, 8)}`,
      });
    } catch (err) {
      const reason = err instanceof CheckoutError ? err.reason : 'git';
      const status = reason === 'timeout' ? 'timed_out' : 'failed';
      return { status, error: `could not clone the repository (${reason}): ${redactSecrets((err as Error).message, known).slice(0, 300)}` };
    }

    let sandbox: SandboxLease | undefined;
    try {
      const checks = await this.dataSource
        .getRepository(MonitorCheck)
        .find({ where: { monitorId: monitor.id }, order: { checkedAt: 'DESC' }, take: RECENT_CHECKS });
      // Outside the working tree, so the agent cannot mistake it for project code.
      const contextFile = join(checkout.root, CONTEXT_FILE_NAME);
      await writeFile(contextFile, incidentContextMarkdown(monitor, incident, checks), { mode: 0o600 });
      // Waiting for a sandbox identity (all in use by other analyses) counts against the deadline.
      sandbox = await this.sandboxIds.acquire(`analysis of incident ${incident.id}`);
      const remaining = this.config.ANALYSIS_TIMEOUT_MS - (Date.now() - startedAt);
      if (remaining <= 0) return { status: 'timed_out', error: `the analysis did not finish within ${Math.round(this.config.ANALYSIS_TIMEOUT_MS / 1000)} s` };
      const result = await this.cline.run({
        mode: 'plan',
        workdir: checkout.dir,
        tempRoot: checkout.root,
        prompt: analysisPrompt(contextFile),
        readable: [contextFile],
        timeoutMs: remaining,
        provider: { provider: this.config.CLINE_PROVIDER, model: this.config.CLINE_MODEL, apiKey: this.config.CLINE_API_KEY, baseUrl: this.config.CLINE_BASE_URL },
        redact: known,
        sandboxUser: sandbox.user,
        onEvent: (e) => this.logger.debug({ incidentId: incident.id, monitorId: monitor.id }, `incident ${incident.id} cline ${e.kind}: ${e.message}`),
      });
      if (result.outcome === 'completed') return { status: 'completed', analysis: parseAnalysis(result.text) };
      if (result.outcome === 'timed_out') return { status: 'timed_out', error: `the analysis did not finish within ${Math.round(this.config.ANALYSIS_TIMEOUT_MS / 1000)} s` };
      return { status: 'failed', error: result.error ?? `cline ${result.outcome}` };
    } finally {
      // Before the checkout goes: whatever the run left running as its uid is killed first.
      await sandbox?.release().catch((err: Error) => this.logger.error({ incidentId: incident.id, monitorId: monitor.id }, `could not release the sandbox identity: ${err.message}`));
      await checkout.dispose().catch((err: Error) => this.logger.warn({ incidentId: incident.id, monitorId: monitor.id }, `could not remove the checkout ${checkout.root}: ${err.message}`));
    }
  }

  private async claim(incidentId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH claimed AS (
         UPDATE incidents SET analysis_status = 'running', analysis_error = NULL, updated_at = now()
          WHERE id = $1
            AND (analysis_status = 'pending'
                 OR (analysis_status = 'running' AND updated_at < now() - ($2::int * interval '1 millisecond')))
          RETURNING id)
       SELECT id FROM claimed`,
      [incidentId, STALE_CLAIM_MS],
    );
    return rows.length === 1;
  }

  /** The decrypted active GitHub token linked to the monitor, if any (public repositories clone without). */
  private async linkedToken(monitor: Monitor): Promise<string | undefined> {
    const row = await this.dataSource
      .getRepository(GithubToken)
      .createQueryBuilder('t')
      .innerJoin('monitor_github_tokens', 'mgt', 'mgt.github_token_id = t.id')
      .where('mgt.monitor_id = :monitorId', { monitorId: monitor.id })
      .andWhere('t.is_active = true')
      .andWhere('t.user_id = :userId', { userId: monitor.userId })
      .orderBy('mgt.created_at', 'DESC')
      .getOne();
    if (!row) return undefined;
    try {
      return this.cipher.decrypt(row.tokenCiphertext);
    } catch {
      this.logger.warn(`GitHub token ${row.id} cannot be decrypted (ENCRYPTION_KEY changed?); cloning without it`);
      return undefined;
    }
  }
}
