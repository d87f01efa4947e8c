import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { LOG_ID_PATTERN } from './log-entry';

export class LogStreamQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Follow one fix job; without it, every job of the caller.' })
  @IsOptional()
  @IsUUID()
  jobId?: string;

  @ApiPropertyOptional({ description: 'A stream token from POST /logs/code-worker/stream-token (for EventSource, which cannot send headers).' })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  token?: string;

  @ApiPropertyOptional({ example: '1042', description: 'Resume after this log id (same as the Last-Event-ID header, which wins).' })
  @IsOptional()
  @Matches(LOG_ID_PATTERN, { message: 'lastEventId must be a log id' })
  lastEventId?: string;
}

export const MAX_HISTORY_PAGE = 2_000;

export class LogHistoryQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'One fix job; without it, every job of the caller.' })
  @IsOptional()
  @IsUUID()
  jobId?: string;

  @ApiPropertyOptional({ example: '0', description: 'Only lines with an id greater than this (paging: pass the last id you got).' })
  @IsOptional()
  @Matches(LOG_ID_PATTERN, { message: 'after must be a log id' })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_HISTORY_PAGE, default: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_HISTORY_PAGE)
  limit?: number;
}

export class LogEntryDto {
  @ApiProperty({ example: '1042', description: 'Also the SSE event id.' }) id: string;
  @ApiProperty({ example: '2026-11-25T22:04:31.120Z' }) ts: string;
  @ApiProperty({ example: 'code_queue' }) worker: 'code_queue';
  @ApiProperty({ enum: ['debug', 'info', 'warn', 'error'] }) level: string;
  @ApiProperty({ nullable: true, example: 'fixing' }) stage: string | null;
  @ApiProperty({ nullable: true, example: 'cline' }) category: string | null;
  @ApiProperty({ nullable: true, format: 'uuid' }) jobId: string | null;
  @ApiProperty({ nullable: true, example: 'https://github.com/acme/shop' }) repo: string | null;
  @ApiProperty({ example: 'Running npm test' }) message: string;
  @ApiProperty({ example: '22:04:31 INFO  [fixing/cline] Running npm test' }) pretty: string;
}

export class LogHistoryResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: [LogEntryDto] }) data: LogEntryDto[];
}

export class StreamTokenDto {
  @ApiProperty() token: string;
  @ApiProperty({ example: '2026-11-25T22:05:31.000Z' }) expires_at: string;
}

export class StreamTokenResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: StreamTokenDto }) data: StreamTokenDto;
}

export class IngestAcceptedDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ example: 20, description: 'Entries stored.' }) accepted: number;
}
