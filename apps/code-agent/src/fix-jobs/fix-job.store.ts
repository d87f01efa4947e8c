import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FIX_JOB_FINAL_STATUSES, FixJob, FixJobStatus, TestOutcome } from '@epitrace/entities';
import { fixJobsTotal } from '@epitrace/metrics';

const FINAL = FIX_JOB_FINAL_STATUSES.map((s) => `'${s}'`).join(', ');
const RUNNING_STEPS: FixJobStatus[] = ['cloning', 'baseline-tests', 'fixing', 'testing', 'pushing', 'opening-pr'];

export interface FixJobResultFields {
  branch?: string;
  testCommand?: string | null;
  baselineTestOutcome?: TestOutcome;
  afterTestOutcome?: TestOutcome;
  prUrl?: string;
  prNumber?: number;
}

const COLUMN: Record<keyof FixJobResultFields, string> = {
  branch: 'branch',
  testCommand: 'test_command',
  baselineTestOutcome: 'baseline_test_outcome',
  afterTestOutcome: 'after_test_outcome',
  prUrl: 'pr_url',
  prNumber: 'pr_number',
};

/**
 * Every state change of a fix job is one conditional UPDATE on its row: a job that has reached a
 * final status never changes again, so a late worker (after a crash, a stale sweep or a retry)
 * cannot overwrite the outcome.
 */
@Injectable()
export class FixJobStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async find(id: string): Promise<FixJob | null> {
    return this.db.getRepository(FixJob).findOneBy({ id });
  }

  /** Takes the job for this attempt; null when it is already finished (a duplicate delivery). */
  async claim(id: string): Promise<FixJob | null> {
    const rows = await this.updateReturning(
      `UPDATE fix_jobs
          SET status = 'cloning',
              attempts = attempts + 1,
              started_at = COALESCE(started_at, now()),
              heartbeat_at = now(),
              error = NULL,
              step_timestamps = step_timestamps || jsonb_build_object('cloning', to_jsonb(now())),
              updated_at = now()
        WHERE id = $1 AND status NOT IN (${FINAL})
        RETURNING id`,
      [id],
    );
    return rows.length ? this.find(id) : null;
  }

  /** Enters a step; false when the job was finished meanwhile (e.g. marked failed as stale). */
  async enterStep(id: string, status: FixJobStatus): Promise<boolean> {
    const rows = await this.updateReturning(
      `UPDATE fix_jobs
          SET status = $2::text,
              heartbeat_at = now(),
              step_timestamps = step_timestamps || jsonb_build_object($2::text, to_jsonb(now())),
              updated_at = now()
        WHERE id = $1 AND status NOT IN (${FINAL})
        RETURNING id`,
      [id, status],
    );
    return rows.length > 0;
  }

  async heartbeat(id: string): Promise<void> {
    await this.db.query(`UPDATE fix_jobs SET heartbeat_at = now() WHERE id = $1 AND status NOT IN (${FINAL})`, [id]);
  }

  async record(id: string, fields: FixJobResultFields): Promise<void> {
    const entries = Object.entries(fields).filter(([, v]) => v !== undefined) as [keyof FixJobResultFields, unknown][];
    if (!entries.length) return;
    const sets = entries.map(([key], i) => `${COLUMN[key]} = $${i + 2}`).join(', ');
    await this.db.query(`UPDATE fix_jobs SET ${sets}, updated_at = now() WHERE id = $1 AND status NOT IN (${FINAL})`, [id, ...entries.map(([, v]) => v)]);
  }

  /** Final status; false when another writer finished the job first. */
  async finish(id: string, status: 'done' | 'failed' | 'no-change', error?: string | null): Promise<boolean> {
    const rows = await this.updateReturning(
      `UPDATE fix_jobs
          SET status = $2::text,
              error = $3,
              finished_at = now(),
              heartbeat_at = now(),
              step_timestamps = step_timestamps || jsonb_build_object($2::text, to_jsonb(now())),
              updated_at = now()
        WHERE id = $1 AND status NOT IN (${FINAL})
        RETURNING id`,
      [id, status, error ? error.slice(0, 2000) : null],
    );
    // Counted only by the writer whose UPDATE finished the job, so replicas never count twice.
    if (rows.length > 0) fixJobsTotal.inc({ outcome: status });
    return rows.length > 0;
  }

  /** Hands the job back to the queue after a failed attempt that BullMQ will retry. */
  async backToQueue(id: string, error: string): Promise<void> {
    await this.db.query(
      `UPDATE fix_jobs
          SET status = 'queued',
              error = $2,
              step_timestamps = step_timestamps || jsonb_build_object('queued', to_jsonb(now())),
              updated_at = now()
        WHERE id = $1 AND status NOT IN (${FINAL})`,
      [id, `attempt failed, will be retried: ${error}`.slice(0, 2000)],
    );
  }

  /** Jobs that look abandoned: running with an old heartbeat, or queued for long. */
  async findSuspect(staleAfterMs: number): Promise<Pick<FixJob, 'id' | 'incidentId' | 'status'>[]> {
    const rows: { id: string; incident_id: string; status: FixJobStatus }[] = await this.db.query(
      `SELECT id, incident_id, status FROM fix_jobs
        WHERE (status = ANY($1) AND (heartbeat_at IS NULL OR heartbeat_at < now() - make_interval(secs => $2::double precision)))
           OR (status = 'queued' AND updated_at < now() - make_interval(secs => $2::double precision))
        ORDER BY created_at
        LIMIT 100`,
      [RUNNING_STEPS, staleAfterMs / 1000],
    );
    return rows.map((r) => ({ id: r.id, incidentId: r.incident_id, status: r.status }));
  }

  private async updateReturning(sql: string, params: unknown[]): Promise<unknown[]> {
    // TypeORM returns [rows, affected] for an UPDATE … RETURNING on Postgres.
    const result = (await this.db.query(sql, params)) as [unknown[], number] | unknown[];
    return Array.isArray(result[0]) ? (result[0] as unknown[]) : (result as unknown[]);
  }
}
