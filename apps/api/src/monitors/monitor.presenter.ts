import type { Monitor, MonitorCheck } from '@epitrace/entities';
import type { MonitorCheckResponseDto, MonitorResponseDto } from './monitor.dto';

/** The contract's snake_case monitor row. */
export function toMonitorRow(m: Monitor, githubTokenId: string | null): MonitorResponseDto {
  return {
    id: m.id,
    user_id: m.userId,
    name: m.name,
    url: m.url,
    repo_link: m.repoLink,
    method: m.method,
    request_header: m.requestHeader,
    request_body: m.requestBody ?? null,
    is_active: m.isActive,
    check_interval: m.checkInterval,
    timeout: m.timeout,
    status: m.status,
    last_checked_at: m.lastCheckedAt,
    expected_status_ranges: m.expectedStatusRanges,
    keyword: m.keyword,
    keyword_mode: m.keywordMode,
    max_response_time_ms: m.maxResponseTimeMs,
    follow_redirects: m.followRedirects,
    failure_threshold: m.failureThreshold,
    recovery_threshold: m.recoveryThreshold,
    github_token_id: githubTokenId,
    created_at: m.createdAt,
    updated_at: m.updatedAt,
  };
}

export function toCheckRow(c: MonitorCheck): MonitorCheckResponseDto {
  return {
    id: c.id,
    monitor_id: c.monitorId,
    status: c.status,
    response_time_ms: c.responseTimeMs,
    status_code: c.statusCode,
    error_message: c.errorMessage,
    checked_at: c.checkedAt,
  };
}
