import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { AnalysisStatus, IncidentAnalysis, IncidentState } from '@epitrace/entities';

export const STATS_WINDOWS = ['24h', '7d', '30d'] as const;
export type StatsWindow = (typeof STATS_WINDOWS)[number];

export class IncidentResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) monitor_id: string;
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ enum: ['open', 'resolved'] }) state: IncidentState;
  @ApiProperty({ description: 'When the check that confirmed the outage ran' }) opened_at: Date;
  @ApiProperty({ nullable: true, type: Date }) resolved_at: Date | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Outage length so far (open) or in total (resolved)' }) duration_seconds: number;
  @ApiProperty({ nullable: true, type: String, example: 'unexpected status 503 (expected 200-399)' }) cause: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 503 }) status_code: number | null;
  @ApiProperty({ enum: ['pending', 'running', 'completed', 'failed', 'timed_out', 'skipped'] }) analysis_status: AnalysisStatus;
  @ApiProperty({ nullable: true, type: Object, description: "Cline's root-cause analysis once completed" }) analysis: IncidentAnalysis | null;
  @ApiProperty({ nullable: true, type: String }) analysis_error: string | null;
  @ApiProperty({ nullable: true, type: Date }) analysis_completed_at: Date | null;
  @ApiProperty() created_at: Date;
  @ApiProperty() updated_at: Date;
}

export class IncidentEnvelopeDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: IncidentResponseDto }) data: IncidentResponseDto;
}

export class IncidentListEnvelopeDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: [IncidentResponseDto] }) data: IncidentResponseDto[];
}

export class StatsQueryDto {
  @ApiPropertyOptional({ enum: STATS_WINDOWS, default: '24h' })
  @IsOptional()
  @IsIn(STATS_WINDOWS, { message: `window must be one of ${STATS_WINDOWS.join(', ')}` })
  window?: StatsWindow;
}

export class ResponseTimeStatsDto {
  @ApiProperty({ nullable: true, type: Number, example: 84 }) avg: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 72, description: 'From a bucketed histogram, interpolated within the bucket' }) p50: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 240 }) p95: number | null;
}

export class MonitorStatsDto {
  @ApiProperty({ format: 'uuid' }) monitor_id: string;
  @ApiProperty({ enum: STATS_WINDOWS }) window: StatsWindow;
  @ApiProperty({ description: 'Start of the window; older hours come from hourly rollups, so the first hour is counted whole' }) from: Date;
  @ApiProperty() to: Date;
  @ApiProperty({ example: 8640 }) checks: number;
  @ApiProperty({ example: 8630 }) up_checks: number;
  @ApiProperty({ example: 10 }) down_checks: number;
  @ApiProperty({ nullable: true, type: Number, example: 99.88, description: 'null when there was no check in the window' }) uptime_percent: number | null;
  @ApiProperty({ type: ResponseTimeStatsDto, description: 'Milliseconds, over checks that got a response' }) response_time_ms: ResponseTimeStatsDto;
  @ApiProperty({ example: 1, description: 'Incidents opened in the window' }) incidents: number;
}

export class MonitorStatsEnvelopeDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: MonitorStatsDto }) data: MonitorStatsDto;
}
