import type { Incident } from '@epitrace/entities';
import type { IncidentResponseDto } from './incident.dto';

export function toIncidentRow(i: Incident, now = new Date()): IncidentResponseDto {
  const end = i.resolvedAt ?? now;
  return {
    id: i.id,
    monitor_id: i.monitorId,
    user_id: i.userId,
    state: i.state,
    opened_at: i.openedAt,
    resolved_at: i.resolvedAt,
    duration_seconds: Math.max(0, Math.round((end.getTime() - i.openedAt.getTime()) / 1000)),
    cause: i.cause,
    status_code: i.statusCode,
    analysis_status: i.analysisStatus,
    analysis: i.analysis,
    analysis_error: i.analysisError,
    analysis_completed_at: i.analysisCompletedAt,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
  };
}
