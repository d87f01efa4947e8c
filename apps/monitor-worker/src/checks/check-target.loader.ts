import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { withoutLogIds } from '@epitrace/nest-common';
import type { CheckTarget } from './check-target';

/** Jobs started within this window share one query (a few ms of a check's schedule lag). */
const COALESCE_MS = 5;

interface Pending {
  resolve: (target: CheckTarget | null) => void;
  reject: (err: unknown) => void;
}

/**
 * Loads the active monitors the jobs of the same instant ask for with one query, not one per
 * check: at a thousand checks a second the per-check round trip would dominate Postgres.
 * Never cached, so an edited monitor is checked with its new settings from the next run on.
 */
@Injectable()
export class CheckTargetLoader {
  private waiting = new Map<string, Pending[]>();
  private scheduled = false;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The monitor if it still exists and is active, else null (its leftover job is skipped). */
  load(monitorId: string): Promise<CheckTarget | null> {
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(monitorId) ?? [];
      list.push({ resolve, reject });
      this.waiting.set(monitorId, list);
      if (!this.scheduled) {
        this.scheduled = true;
        // One query serves many monitors' checks: keep it out of the ids of the check that started it.
        withoutLogIds(() => setTimeout(() => void this.flush(), COALESCE_MS));
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = new Map();
    this.scheduled = false;
    try {
      const rows: CheckTarget[] = await this.db.query(
        `SELECT id, url, method, request_header AS "requestHeader", request_body AS "requestBody", timeout,
                expected_status_ranges AS "expectedStatusRanges", keyword, keyword_mode AS "keywordMode",
                max_response_time_ms AS "maxResponseTimeMs", follow_redirects AS "followRedirects"
           FROM monitors WHERE id = ANY($1::uuid[]) AND is_active`,
        [[...batch.keys()]],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const [id, list] of batch) for (const p of list) p.resolve(byId.get(id) ?? null);
    } catch (err) {
      for (const list of batch.values()) for (const p of list) p.reject(err);
    }
  }
}
