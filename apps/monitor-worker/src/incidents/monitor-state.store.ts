import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { CheckRecord } from '../checks/check-record';

export interface IncidentTransition {
  incidentId: string;
  monitorId: string;
}

export interface Transitions {
  opened: IncidentTransition[];
  resolved: IncidentTransition[];
}

const FK_VIOLATION = '23503';

// TypeORM's query() answers UPDATE and DELETE with [rows, rowCount], everything else with rows.

/**
 * Writes a batch of checks and applies them to the monitors' state in one transaction:
 * one INSERT for every check row, then the counters, status and incidents. Only rows that were
 * actually inserted count, so a check re-run after a crash (same scheduled_at) is not counted
 * twice. Monitor rows are locked in id order, so two replicas serialise per monitor (and never
 * deadlock): exactly one transaction sees the status flip and opens (or resolves) the incident.
 * NO KEY UPDATE, not UPDATE: the check INSERT's foreign key already holds KEY SHARE on the same
 * rows, which FOR UPDATE would conflict with across concurrent batches.
 */
@Injectable()
export class MonitorStateStore {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async apply(records: CheckRecord[]): Promise<Transitions> {
    try {
      return await this.db.transaction((tx) => this.applyIn(tx, records));
    } catch (err) {
      // A monitor deleted between its check and this write: its rows are skipped on the retry.
      if ((err as { code?: string }).code === FK_VIOLATION) return this.db.transaction((tx) => this.applyIn(tx, records));
      throw err;
    }
  }

  private async applyIn(tx: EntityManager, records: CheckRecord[]): Promise<Transitions> {
    const inserted = await this.insertChecks(tx, records);
    const transitions: Transitions = { opened: [], resolved: [] };
    if (!inserted.length) return transitions;

    const monitorIds = [...new Set(inserted.map((r) => r.monitorId))].sort();
    const locked: { id: string; status: string | null }[] = await tx.query(
      `SELECT id, status FROM monitors WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE`,
      [monitorIds],
    );
    const statusOf = new Map(locked.map((m) => [m.id, m.status]));

    for (const round of roundsOf(inserted)) {
      const [updated]: [{ id: string; status: string | null }[], number] = await tx.query(
        `UPDATE monitors m SET
           consecutive_failures = CASE WHEN c.status = 'DOWN' THEN m.consecutive_failures + 1 ELSE 0 END,
           consecutive_successes = CASE WHEN c.status = 'UP' THEN m.consecutive_successes + 1 ELSE 0 END,
           status = CASE
             WHEN c.status = 'DOWN' AND m.consecutive_failures + 1 >= m.failure_threshold THEN 'DOWN'
             WHEN c.status = 'UP' AND m.status IS NULL THEN 'UP'
             WHEN c.status = 'UP' AND m.status = 'DOWN' AND m.consecutive_successes + 1 >= m.recovery_threshold THEN 'UP'
             ELSE m.status END,
           last_checked_at = GREATEST(m.last_checked_at, c.checked_at)
         FROM unnest($1::uuid[], $2::varchar[], $3::timestamptz[]) AS c(monitor_id, status, checked_at)
         WHERE m.id = c.monitor_id
         RETURNING m.id, m.status`,
        [round.map((r) => r.monitorId), round.map((r) => r.status), round.map((r) => r.checkedAt.toISOString())],
      );
      const byMonitor = new Map(round.map((r) => [r.monitorId, r]));
      const opening: CheckRecord[] = [];
      const resolving: CheckRecord[] = [];
      for (const m of updated) {
        const before = statusOf.get(m.id) ?? null;
        if (before !== 'DOWN' && m.status === 'DOWN') opening.push(byMonitor.get(m.id) as CheckRecord);
        if (before === 'DOWN' && m.status === 'UP') resolving.push(byMonitor.get(m.id) as CheckRecord);
        statusOf.set(m.id, m.status);
      }
      transitions.opened.push(...(await this.openIncidents(tx, opening)));
      transitions.resolved.push(...(await this.resolveIncidents(tx, resolving)));
    }
    return transitions;
  }

  private async insertChecks(tx: EntityManager, records: CheckRecord[]): Promise<CheckRecord[]> {
    const rows: { monitor_id: string; scheduled_at: Date }[] = await tx.query(
      `INSERT INTO monitor_checks (monitor_id, status, response_time_ms, status_code, error_message, checked_at, scheduled_at)
       SELECT c.* FROM unnest($1::uuid[], $2::varchar[], $3::int[], $4::int[], $5::varchar[], $6::timestamptz[], $7::timestamptz[])
              AS c(monitor_id, status, response_time_ms, status_code, error_message, checked_at, scheduled_at)
        WHERE EXISTS (SELECT 1 FROM monitors m WHERE m.id = c.monitor_id)
       ON CONFLICT (monitor_id, scheduled_at) WHERE scheduled_at IS NOT NULL DO NOTHING
       RETURNING monitor_id, scheduled_at`,
      [
        records.map((r) => r.monitorId),
        records.map((r) => r.status),
        records.map((r) => r.responseTimeMs),
        records.map((r) => r.statusCode),
        records.map((r) => r.errorMessage),
        records.map((r) => r.checkedAt.toISOString()),
        records.map((r) => r.scheduledAt.toISOString()),
      ],
    );
    const fresh = new Set(rows.map((r) => `${r.monitor_id}@${new Date(r.scheduled_at).getTime()}`));
    return records.filter((r) => fresh.has(`${r.monitorId}@${r.scheduledAt.getTime()}`));
  }

  private async openIncidents(tx: EntityManager, records: CheckRecord[]): Promise<IncidentTransition[]> {
    if (!records.length) return [];
    const rows: { id: string; monitor_id: string }[] = await tx.query(
      `INSERT INTO incidents (monitor_id, user_id, state, opened_at, cause, status_code)
       SELECT c.monitor_id, m.user_id, 'open', c.opened_at, c.cause, c.status_code
         FROM unnest($1::uuid[], $2::timestamptz[], $3::varchar[], $4::int[]) AS c(monitor_id, opened_at, cause, status_code)
         JOIN monitors m ON m.id = c.monitor_id
       ON CONFLICT (monitor_id) WHERE state = 'open' DO NOTHING
       RETURNING id, monitor_id`,
      [
        records.map((r) => r.monitorId),
        records.map((r) => r.checkedAt.toISOString()),
        records.map((r) => r.errorMessage),
        records.map((r) => r.statusCode),
      ],
    );
    return rows.map((r) => ({ incidentId: r.id, monitorId: r.monitor_id }));
  }

  private async resolveIncidents(tx: EntityManager, records: CheckRecord[]): Promise<IncidentTransition[]> {
    if (!records.length) return [];
    const [rows]: [{ id: string; monitor_id: string }[], number] = await tx.query(
      `UPDATE incidents i SET state = 'resolved', resolved_at = c.resolved_at, updated_at = now()
         FROM unnest($1::uuid[], $2::timestamptz[]) AS c(monitor_id, resolved_at)
        WHERE i.monitor_id = c.monitor_id AND i.state = 'open'
        RETURNING i.id, i.monitor_id`,
      [records.map((r) => r.monitorId), records.map((r) => r.checkedAt.toISOString())],
    );
    return rows.map((r) => ({ incidentId: r.id, monitorId: r.monitor_id }));
  }
}

/** Splits checks into rounds holding at most one check per monitor, oldest first. */
function roundsOf(records: CheckRecord[]): CheckRecord[][] {
  const sorted = [...records].sort((a, b) => a.scheduledAt.getTime() - b.scheduledAt.getTime());
  const rounds: CheckRecord[][] = [];
  const seen = new Map<string, number>();
  for (const r of sorted) {
    const index = seen.get(r.monitorId) ?? 0;
    seen.set(r.monitorId, index + 1);
    (rounds[index] ??= []).push(r);
  }
  return rounds;
}
