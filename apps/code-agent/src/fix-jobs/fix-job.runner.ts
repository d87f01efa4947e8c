import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FixJob, FixJobStatus } from '@epitrace/entities';
import { APP_CONFIG, addLogIds, withLogIds } from '@epitrace/nest-common';
import { CheckoutError, InvalidRepoUrlError, RepoCheckout, RepoLocation, parseRepoUrl } from '@epitrace/repo-checkout';
import { SandboxLease, SandboxUidPool } from '@epitrace/sandbox';
import type { CodeAgentConfig } from '../config/code-agent.config';
import { GitHubApiError, GitHubClient, PullRequestSummary } from '../github/github-client';
import { GitHubClientFactory } from '../github/github-client.factory';
import { JobLog, JobLogFactory } from '../logs/job-log';
import { FixFinishedPublisher } from '../notifications/fix-finished.publisher';
import { fixWorkspaceLabel } from '../workspace/fix-workspace-name';
import { ProcessRunner } from '../workspace/process-runner';
import { TestCommand, detectTestCommand } from '../workspace/test-command';
import { CLINE_RUNNER, ClineRunnerPort } from './cline.port';
import { FixFacts, TestRunSummary, buildCommitMessage, buildFixContext, buildFixPrompt, buildPullRequestBody, buildPullRequestTitle } from './fix-documents';
import { FixJobContext, FixJobContextLoader } from './fix-job-context.loader';
import { FixJobError } from './fix-job.error';
import { FixJobStore } from './fix-job.store';

/** Thrown to hand an attempt back to BullMQ for a retry; the row went back to `queued`. */
export class RetryableFixError extends Error {
  override name = 'RetryableFixError';
}

/** The process is shutting down: the job was stopped, cleaned up and put back to `queued` to run again. */
export class FixJobInterruptedError extends Error {
  override name = 'FixJobInterruptedError';
}

export type FixRunOutcome = 'done' | 'no-change' | 'failed' | 'skipped';

const CONTEXT_DIR = '.epitrace';
const CONTEXT_FILE = `${CONTEXT_DIR}/fix-context.md`;

/** The branch a fix for an incident always uses: reusing it is what makes retries idempotent. */
export function fixBranchName(incidentId: string): string {
  return `epitrace/fix-${incidentId.replace(/-/g, '').slice(0, 8)}`;
}

function isPermanent(err: unknown): boolean {
  if (err instanceof FixJobError) return !err.retryable;
  if (err instanceof InvalidRepoUrlError) return true;
  if (err instanceof CheckoutError) return err.reason === 'auth' || err.reason === 'not-found' || err.reason === 'too-large';
  if (err instanceof GitHubApiError) return err.status !== undefined && err.status >= 400 && err.status < 500 && err.status !== 429;
  return false;
}

/**
 * One attempt of a fix job, step by step: clone, baseline tests, Cline, tests again, commit and
 * push the fix branch, open (or update) the pull request, report. Every step is recorded on the
 * row; the workspace is always removed; the outcome is always reported to the team.
 */
@Injectable()
export class FixJobRunner implements BeforeApplicationShutdown {
  private readonly logger = new Logger(FixJobRunner.name);
  /** Jobs running in this process, to stop them (and hand them back) when it shuts down. */
  private readonly running = new Map<string, { stop: AbortController; done: Promise<void> }>();

  constructor(
    private readonly store: FixJobStore,
    private readonly contexts: FixJobContextLoader,
    private readonly logs: JobLogFactory,
    private readonly processes: ProcessRunner,
    @Inject(CLINE_RUNNER) private readonly cline: ClineRunnerPort,
    private readonly github: GitHubClientFactory,
    private readonly finished: FixFinishedPublisher,
    private readonly sandboxIds: SandboxUidPool,
    @Inject(APP_CONFIG) private readonly config: CodeAgentConfig,
  ) {}

  /**
   * Stops every running job before the queue worker closes: Cline and the tests are killed, the
   * workspace removed, and the job goes back to the queue instead of waiting for the process to
   * be killed mid-step after the shutdown grace period.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const jobs = [...this.running.values()];
    for (const job of jobs) job.stop.abort();
    // Wait for them to hand themselves back while the database and Redis are still open.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(jobs.map((j) => j.done)), new Promise<void>((r) => (timer = setTimeout(r, 20_000)))]);
    clearTimeout(timer);
  }

  /** Ids of the jobs this process is running: their workspaces must survive any sweep. */
  runningJobIds(): string[] {
    return [...this.running.keys()];
  }

  /** `final`: BullMQ will not retry after this attempt, so a failure must be recorded as final. */
  run(fixJobId: string, incidentId: string, attempt: { final: boolean }): Promise<FixRunOutcome> {
    return withLogIds({ fixJobId, incidentId }, () => this.runJob(fixJobId, incidentId, attempt));
  }

  private async runJob(fixJobId: string, incidentId: string, attempt: { final: boolean }): Promise<FixRunOutcome> {
    const job = await this.store.claim(fixJobId);
    if (!job) {
      this.logger.log({ fixJobId, incidentId }, `fix job ${fixJobId} is already finished; nothing to do`);
      return 'skipped';
    }
    addLogIds({ monitorId: job.monitorId });
    const stop = new AbortController();
    let markDone: () => void = () => undefined;
    this.running.set(job.id, { stop, done: new Promise<void>((resolve) => (markDone = resolve)) });
    const log = this.logs.open(job.id);
    const heartbeat = setInterval(() => void this.store.heartbeat(job.id).catch(() => undefined), this.config.FIX_HEARTBEAT_MS);
    heartbeat.unref();
    let checkout: RepoCheckout | null = null;
    let sandbox: SandboxLease | null = null;
    try {
      log.stage = 'cloning';
      log.info(`fix job started (attempt ${job.attempts})`);
      if (job.incidentId !== incidentId) throw new FixJobError('the job does not belong to the incident named in the queue message', false);
      const context = await this.contexts.load(job);
      log.addSecret(context.token);
      // One identity for every sandboxed step (tests, Cline, tests), so they can share the checkout.
      sandbox = await this.sandboxIds.acquire(`fix job ${job.id}`, stop.signal);
      return await this.fix(context, sandbox, log, (c) => (checkout = c), stop.signal);
    } catch (err) {
      const message = log.redact(err instanceof Error ? err.message : String(err)).slice(0, 1500);
      if (stop.signal.aborted) {
        log.warn('the code-agent is shutting down: the job was stopped and goes back to the queue');
        await this.store.backToQueue(job.id, 'interrupted by a shutdown of the code-agent');
        throw new FixJobInterruptedError(message);
      }
      if (!isPermanent(err) && !attempt.final) {
        log.warn(`attempt ${job.attempts} failed and will be retried: ${message}`);
        await this.store.backToQueue(job.id, message);
        throw new RetryableFixError(message);
      }
      log.error(`fix failed: ${message}`);
      await this.finish(job, 'failed', log, message);
      return 'failed';
    } finally {
      clearInterval(heartbeat);
      // Before the workspace goes: whatever the job left running as its uid is killed first.
      const lease = sandbox as SandboxLease | null;
      await lease?.release().catch((e: Error) => this.logger.error({ fixJobId: job.id, incidentId: job.incidentId }, `could not release the sandbox identity: ${e.message}`));
      const workspace = checkout as RepoCheckout | null;
      if (workspace) {
        await workspace.dispose().catch((e: Error) => this.logger.warn({ fixJobId: job.id, incidentId: job.incidentId }, `could not remove workspace ${workspace.root}: ${e.message}`));
      }
      await log.close();
      this.running.delete(job.id);
      markDone();
    }
  }

  private async fix(context: FixJobContext, sandbox: SandboxLease, log: JobLog, keep: (c: RepoCheckout) => void, signal?: AbortSignal): Promise<FixRunOutcome> {
    const { job, incident, monitor, token } = context;
    const repo = parseRepoUrl(monitor.repoLink ?? '', { allowHttp: this.config.ALLOW_HTTP_REMOTES });
    const github = this.github.forRepository(token, repo);
    const base = await github.defaultBranch(repo.owner, repo.name);
    const branch = fixBranchName(incident.id);
    await this.store.record(job.id, { branch });
    log.info(`repository ${repo.fullName}: default branch ${base}, fix branch ${branch}`);

    const existing = await github.findPullRequest(repo.owner, repo.name, branch);
    if (existing?.merged_at) {
      log.info(`pull request #${existing.number} for this incident was already merged: ${existing.html_url}`);
      await this.store.record(job.id, { prUrl: existing.html_url, prNumber: existing.number });
      await this.finish(job, 'done', log);
      return 'done';
    }
    if (existing) log.info(`pull request #${existing.number} already exists for ${branch}; it will be updated, not duplicated`);

    const checkout = await RepoCheckout.clone({
      repo,
      token,
      allowHttp: this.config.ALLOW_HTTP_REMOTES,
      branch: base,
      depth: this.config.FIX_CLONE_DEPTH || undefined,
      timeoutMs: this.config.FIX_CLONE_TIMEOUT_MS,
      maxBytes: this.config.FIX_MAX_REPO_BYTES,
      workRoot: this.config.FIX_WORK_DIR || undefined,
      label: fixWorkspaceLabel(job.id),
      identity: { name: this.config.GIT_BOT_NAME, email: this.config.GIT_BOT_EMAIL },
      onOutput: (line) => log.debug(line, 'git'),
    });
    keep(checkout);
    await checkout.switchToNewBranch(branch);
    const home = join(checkout.root, 'home');
    await mkdir(home, { recursive: true });
    const baseSha = await checkout.headSha();
    log.info(`cloned ${repo.webUrl} at ${baseSha.slice(0, 12)}`);

    await this.enter(job, 'baseline-tests', log);
    const testCommand = detectTestCommand(checkout.dir);
    await this.store.record(job.id, { testCommand: testCommand?.display ?? null });
    log.info(testCommand ? `test command: ${testCommand.display}` : 'no test command found (package.json test script, pytest, go test, cargo test, make test)');
    const baseline = await this.runTests(testCommand, { checkout, home, sandbox }, log, true, signal);
    await this.store.record(job.id, { baselineTestOutcome: baseline.outcome });
    log.info(`tests before the fix: ${baseline.outcome}`);
    await this.setAsideArtefacts(checkout);

    await this.enter(job, 'fixing', log);
    const facts: FixFacts = { incident, monitor, testCommand: testCommand?.display ?? null, baseline };
    // The tests have had the tree: a symlink they left at .epitrace must not be written through.
    await checkout.writeFreshFile(CONTEXT_FILE, buildFixContext(facts));
    await checkout.excludeFromCommits(`${CONTEXT_DIR}/`);
    const result = await this.cline.run({
      mode: 'act',
      workdir: checkout.dir,
      // In the workspace, so the run's directory (the provider key in it) goes with it, even after a kill -9.
      tempRoot: checkout.root,
      prompt: buildFixPrompt(CONTEXT_FILE, facts.testCommand),
      timeoutMs: this.config.FIX_TIMEOUT_MS,
      provider: { provider: this.config.CLINE_PROVIDER, model: this.config.CLINE_MODEL, apiKey: this.config.CLINE_API_KEY, baseUrl: this.config.CLINE_BASE_URL },
      redact: [token],
      sandboxUser: sandbox.user,
      onEvent: (event) => log.info(event.detail ? `${event.message} — ${event.detail}` : event.message, 'cline'),
      signal,
    });
    await rm(join(checkout.dir, CONTEXT_DIR), { recursive: true, force: true });
    if (signal?.aborted) throw new FixJobInterruptedError('Cline was stopped by shutdown');
    if (result.outcome !== 'completed') {
      const why = result.stderrTail ? `: ${result.stderrTail.slice(-500)}` : '';
      throw new FixJobError(`Cline did not complete the fix (${result.outcome})${why}`, false);
    }
    facts.agentSummary = log.redact(result.text);
    // Commits the agent made (despite being asked not to) went into the tree's own repository, not
    // the service's (see RepoCheckout): they are plain changes here, and become the bot's one commit.
    const changed = await checkout.changedFiles();
    if (!changed.length) {
      log.info('Cline finished without changing any file: no pull request');
      await this.finish(job, 'no-change', log, null);
      return 'no-change';
    }
    facts.changedFiles = changed;
    log.info(`Cline changed ${changed.length} file(s): ${changed.map((f) => f.path).join(', ')}`);

    await this.enter(job, 'testing', log);
    facts.after = testCommand ? await this.runTests(testCommand, { checkout, home, sandbox }, log, false, signal) : { outcome: 'no-tests', output: '' };
    await this.store.record(job.id, { afterTestOutcome: facts.after.outcome });
    log[facts.after.outcome === 'failed' || facts.after.outcome === 'timed_out' ? 'warn' : 'info'](`tests after the fix: ${facts.after.outcome}`);

    await this.enter(job, 'pushing', log);
    const title = buildPullRequestTitle(facts);
    // Only what Cline changed: files the test run produced afterwards are not part of the fix.
    const sha = await checkout.commitAll(buildCommitMessage(facts, title), changed.map((f) => f.path));
    if (!sha) {
      log.info('every changed file is ignored by the repository: nothing to commit, no pull request');
      await this.finish(job, 'no-change', log, null);
      return 'no-change';
    }
    facts.diffStat = await checkout.diffStat('HEAD~1').catch(() => undefined);
    await checkout.push(branch, { force: true });
    log.info(`pushed ${sha.slice(0, 12)} to ${branch}`);

    await this.enter(job, 'opening-pr', log);
    const pr = await this.openOrUpdatePullRequest(github, repo, existing, { branch, base, title, body: buildPullRequestBody(facts, job.id) }, log);
    await this.store.record(job.id, { prUrl: pr.html_url, prNumber: pr.number });
    log.info(`pull request #${pr.number}: ${pr.html_url}`);
    await this.finish(job, 'done', log);
    return 'done';
  }

  private async openOrUpdatePullRequest(
    github: GitHubClient,
    repo: RepoLocation,
    existing: PullRequestSummary | null,
    pr: { branch: string; base: string; title: string; body: string },
    log: JobLog,
  ): Promise<PullRequestSummary> {
    let current = existing;
    if (!current) {
      try {
        return await github.createPullRequest({ owner: repo.owner, repo: repo.name, head: pr.branch, base: pr.base, title: pr.title, body: pr.body, draft: this.config.GITHUB_PR_DRAFT });
      } catch (err) {
        // A previous attempt may have opened it after we looked (422 "A pull request already exists").
        if (!(err instanceof GitHubApiError && err.status === 422)) throw err;
        current = await github.findPullRequest(repo.owner, repo.name, pr.branch);
        if (!current) throw err;
      }
    }
    log.info(`updating the existing pull request #${current.number} instead of opening another`);
    return github.updatePullRequest(repo.owner, repo.name, current.number, { title: pr.title, body: pr.body, ...(current.state !== 'open' ? { state: 'open' as const } : {}) });
  }

  private async runTests(
    command: TestCommand | null,
    where: { checkout: RepoCheckout; home: string; sandbox: SandboxLease },
    log: JobLog,
    withSetup: boolean,
    signal?: AbortSignal,
  ): Promise<TestRunSummary> {
    if (!command) return { outcome: 'no-tests', output: '' };
    const deadline = Date.now() + this.config.TEST_TIMEOUT_MS;
    const { checkout, home } = where;
    const sandbox = where.sandbox.identity;
    const onLine = (line: string) => log.info(line, 'tests');
    let output = '';
    for (const step of withSetup ? command.setup : []) {
      log.info(`$ ${step.join(' ')}`, 'tests');
      const setup = await this.processes.run(step, { cwd: checkout.dir, home, timeoutMs: Math.max(1, deadline - Date.now()), sandbox, onLine, signal });
      output += setup.output;
      if (setup.timedOut) return { outcome: 'timed_out', output: log.redact(output), durationMs: setup.durationMs };
      if (setup.exitCode !== 0) return { outcome: 'failed', output: log.redact(output), durationMs: setup.durationMs };
    }
    log.info(`$ ${command.display}`, 'tests');
    const run = await this.processes.run(command.argv, { cwd: checkout.dir, home, timeoutMs: Math.max(1, deadline - Date.now()), sandbox, onLine, signal });
    output += run.output;
    const outcome = run.timedOut ? 'timed_out' : run.exitCode === 0 ? 'passed' : 'failed';
    return { outcome, output: log.redact(output), durationMs: run.durationMs };
  }

  /** What installs and the baseline run left in the tree (node_modules, caches) stays out of the fix. */
  private async setAsideArtefacts(checkout: RepoCheckout): Promise<void> {
    const leftovers = await checkout.changedFiles({ collapseUntrackedDirs: true });
    const untracked = leftovers.filter((f) => f.status === '??').map((f) => f.path);
    for (const path of untracked) await checkout.excludeFromCommits(path);
    await checkout.discardChanges(leftovers.filter((f) => f.status !== '??').map((f) => f.path));
  }

  private async enter(job: FixJob, status: FixJobStatus, log: JobLog): Promise<void> {
    if (this.running.get(job.id)?.stop.signal.aborted) throw new FixJobInterruptedError('stopped by shutdown');
    log.stage = status;
    if (!(await this.store.enterStep(job.id, status))) {
      throw new FixJobError('the job was finished elsewhere (marked failed as stale?) while it ran', false);
    }
    log.info(`step: ${status}`);
  }

  private async finish(job: FixJob, status: 'done' | 'failed' | 'no-change', log: JobLog, error: string | null = null): Promise<void> {
    log.stage = status;
    if (!(await this.store.finish(job.id, status, error))) return;
    log.info(`fix job ${status}`);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.finished.publish(job.incidentId, job.id);
        return;
      } catch (err) {
        if (attempt >= 3) {
          this.logger.error({ fixJobId: job.id, incidentId: job.incidentId, err: (err as Error).message }, `could not enqueue fix-finished for ${job.id}: ${(err as Error).message}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  }
}
