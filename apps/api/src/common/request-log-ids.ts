import type { NextFunction, Request, Response } from 'express';
import { LogIds, withLogIds } from '@epitrace/nest-common';

const UUID = '([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})';

/** The routes whose path names a monitor, incident or fix job (see the contract), and which id it is. */
const ID_IN_PATH: [RegExp, keyof LogIds][] = [
  [new RegExp(`^/monitor/(?:start/|resume/|pause/)?${UUID}(?:/|$)`), 'monitorId'],
  [new RegExp(`^/(?:webhook|github-token)/monitor/${UUID}(?:/|$)`), 'monitorId'],
  [new RegExp(`^/incidents/${UUID}(?:/|$)`), 'incidentId'],
  [new RegExp(`^/(?:alert/)?fix-jobs/${UUID}(?:/|$)`), 'fixJobId'],
];

const JOB_FILTER = new RegExp(`^${UUID}$`);

/** The ids a request concerns, read off its path (and the log stream's `jobId` filter). */
export function logIdsOfRequest(path: string, query: Record<string, unknown>): LogIds {
  const ids: LogIds = {};
  for (const [pattern, key] of ID_IN_PATH) {
    const match = pattern.exec(path);
    if (match) ids[key] = match[1].toLowerCase();
  }
  if (path.startsWith('/logs/code-worker/stream') && typeof query['jobId'] === 'string' && JOB_FILTER.test(query['jobId'])) {
    ids.fixJobId = query['jobId'].toLowerCase();
  }
  return ids;
}

/**
 * Express middleware, first in the chain: everything logged while the request is handled —
 * the access line included — carries the ids the route names. Registered before routing, so the
 * ids come from the path rather than Nest's route params.
 */
export function requestLogIds(req: Request, _res: Response, next: NextFunction): void {
  withLogIds(logIdsOfRequest(req.path, req.query as Record<string, unknown>), next);
}
