import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import type { StoredLogLine } from './log-entry';

export interface NewLogLine {
  jobId: string | null;
  userId: string | null;
  ts: Date | null;
  level: string;
  stage: string | null;
  category: string | null;
  repo: string | null;
  message: string;
}

/** Whose lines a reader may see: one user's, optionally narrowed to one of their jobs. */
export interface LogScope {
  userId: string;
  jobId: string | null;
}

const COLUMNS = `id::text AS id, job_id AS "jobId", user_id AS "userId", ts, level, stage, category, repo, message`;
/** Namespace of the per-owner advisory locks (two-int form, so it never collides with single-bigint locks). */
const OWNER_LOCK_NAMESPACE = 74_001;

/** job_log_entries: the source of truth for history, replay and resume. */
@Injectable()
export class LogStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** fix_jobs.user_id for each known job id. */
  async ownersOf(jobIds: string[]): Promise<Map<string, string>> {
    if (!jobIds.length) return new Map();
    const rows: { id: string; user_id: string }[] = await this.dataSource.query(`SELECT id, user_id FROM fix_jobs WHERE id = ANY($1::uuid[])`, [jobIds]);
    return new Map(rows.map((r) => [r.id, r.user_id]));
  }

  async isJobOwnedBy(jobId: string, userId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM fix_jobs WHERE id = $1 AND user_id = $2`, [jobId, userId]);
    return rows.length > 0;
  }

  async userExists(userId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM users WHERE id = $1`, [userId]);
    return rows.length > 0;
  }

  /**
   * Runs `work` while holding the owner's advisory lock on a dedicated connection. Inserting and
   * publishing under it makes one owner's lines commit and reach Redis in id order, which is
   * what lets a stream de-duplicate by "id greater than the last one sent" without gaps.
   */
  async withOwnerLock<T>(userId: string, work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock($1, hashtext($2))`, [OWNER_LOCK_NAMESPACE, userId]);
      try {
        return await work(runner);
      } finally {
        await runner.query(`SELECT pg_advisory_unlock($1, hashtext($2))`, [OWNER_LOCK_NAMESPACE, userId]);
      }
    } finally {
      await runner.release();
    }
  }

  /** Inserts the lines in order (one statement) and returns them with their ids, ascending. */
  async insert(lines: NewLogLine[], runner?: QueryRunner): Promise<StoredLogLine[]> {
    if (!lines.length) return [];
    const params: unknown[] = [];
    const tuples = lines.map((l) => {
      params.push(l.jobId, l.userId, l.ts, l.level, l.stage, l.category, l.repo, l.message);
      const b = params.length - 8;
      return `($${b + 1}::uuid, $${b + 2}::uuid, COALESCE($${b + 3}::timestamptz, now()), $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8})`;
    });
    const sql = `INSERT INTO job_log_entries (job_id, user_id, ts, level, stage, category, repo, message) VALUES ${tuples.join(', ')} RETURNING ${COLUMNS}`;
    const rows: StoredLogLine[] = await (runner ?? this.dataSource).query(sql, params);
    return rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  /** The scope's lines after `afterId`, oldest first. */
  async after(scope: LogScope, afterId: string, limit: number): Promise<StoredLogLine[]> {
    if (scope.jobId) {
      return this.dataSource.query(
        `SELECT ${COLUMNS} FROM job_log_entries WHERE job_id = $1 AND user_id = $2 AND id > $3 ORDER BY job_log_entries.id LIMIT $4`,
        [scope.jobId, scope.userId, afterId, limit],
      );
    }
    return this.dataSource.query(`SELECT ${COLUMNS} FROM job_log_entries WHERE user_id = $1 AND id > $2 ORDER BY job_log_entries.id LIMIT $3`, [
      scope.userId,
      afterId,
      limit,
    ]);
  }

  /** Id just before the scope's newest `count` lines ('0' when there are fewer), to start a tail. */
  async idBeforeLast(scope: LogScope, count: number): Promise<string> {
    const rows: { id: string }[] = scope.jobId
      ? await this.dataSource.query(
          `SELECT id::text AS id FROM job_log_entries WHERE job_id = $1 AND user_id = $2 ORDER BY job_log_entries.id DESC OFFSET $3 LIMIT 1`,
          [scope.jobId, scope.userId, count],
        )
      : await this.dataSource.query(`SELECT id::text AS id FROM job_log_entries WHERE user_id = $1 ORDER BY job_log_entries.id DESC OFFSET $2 LIMIT 1`, [
          scope.userId,
          count,
        ]);
    return rows[0]?.id ?? '0';
  }

  /** Deletes up to `batch` lines older than `cutoff`; returns how many went. */
  async deleteOlderThan(cutoff: Date, batch: number): Promise<number> {
    const result: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM job_log_entries WHERE id IN (SELECT id FROM job_log_entries WHERE ts < $1 ORDER BY ts LIMIT $2)`,
      [cutoff, batch],
    );
    return result[1] ?? 0;
  }
}
