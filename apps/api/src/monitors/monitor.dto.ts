import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidateIf,
  ValidateNested,
  ValidationArguments,
} from 'class-validator';
import { HTTP_METHODS, type HttpMethod, type KeywordMode, MONITOR_STATUSES, type MonitorStatus } from '@epitrace/entities';

export const MIN_CHECK_INTERVAL_S = 10;
export const MAX_CHECK_INTERVAL_S = 86_400;
export const MAX_TIMEOUT_S = 120;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const MAX_HEADERS = 50;

/** An object of header name → string value, with names a server would accept. */
function IsHeaderMap() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isHeaderMap',
      target: target.constructor,
      propertyName,
      validator: {
        validate(value: unknown) {
          if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
          const entries = Object.entries(value);
          return (
            entries.length <= MAX_HEADERS &&
            entries.every(([name, v]) => HEADER_NAME.test(name) && typeof v === 'string' && v.length <= 8192 && !/[\r\n\0]/.test(v))
          );
        },
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} must be an object of at most ${MAX_HEADERS} header names to string values (no line breaks)`,
      },
    });
}

/** This number must be ≥ the sibling property `other` (e.g. a range's max ≥ its min). */
function IsNotBelow(other: string) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isNotBelow',
      target: target.constructor,
      propertyName,
      constraints: [other],
      validator: {
        validate(value: unknown, args?: ValidationArguments) {
          const floor = (args?.object as Record<string, unknown>)[other];
          return typeof value !== 'number' || typeof floor !== 'number' || value >= floor;
        },
        defaultMessage: (args?: ValidationArguments) => `${args?.property} must be greater than or equal to ${other}`,
      },
    });
}

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

const SCP_LIKE_REPO = /^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9.-]+:[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+\/?$/;

/** Why a repository link is unusable, or null. Accepts https://host/owner/repo[...] and git@host:owner/repo.git. */
export function repoLinkProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'repo_link must be a string';
  const link = value.trim();
  if (!link.includes('://')) return SCP_LIKE_REPO.test(link) ? null : 'repo_link must name a repository: https://<host>/<owner>/<repo>';
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return 'repo_link must be a valid URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'repo_link must be an http(s) URL';
  // The code-agent sends the GitHub token to this host; credentials in the link would leak.
  if (url.username || url.password) return 'repo_link must not contain credentials';
  return url.pathname.split('/').filter(Boolean).length >= 2 ? null : 'repo_link must name a repository: https://<host>/<owner>/<repo>';
}

function IsRepoLink() {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isRepoLink',
      target: target.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => repoLinkProblem(value) === null,
        defaultMessage: (args?: ValidationArguments) => repoLinkProblem(args?.value) ?? 'repo_link is invalid',
      },
    });
}

const HTTP_URL = { protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_underscores: true };

export class StatusRangeDto {
  @ApiProperty({ minimum: 100, maximum: 599, example: 200 })
  @IsInt()
  @Min(100)
  @Max(599)
  min: number;

  @ApiProperty({ minimum: 100, maximum: 599, example: 399 })
  @IsInt()
  @Min(100)
  @Max(599)
  @IsNotBelow('min')
  max: number;
}

export class CreateMonitorRequestDto {
  @ApiProperty({ example: 'Checkout API', maxLength: 200 })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'https://shop.example.com/api/health', description: 'http(s) URL to check.' })
  @IsString()
  @MaxLength(2048)
  @IsUrl(HTTP_URL, { message: 'url must be an http(s) URL' })
  url: string;

  @ApiProperty({ example: 'https://github.com/acme/shop', description: 'Repository of the service (GitHub or GitHub Enterprise); the agent analyses and fixes it.' })
  @IsString()
  @MaxLength(2048)
  @IsRepoLink()
  repo_link: string;

  @ApiPropertyOptional({ enum: HTTP_METHODS, default: 'GET', example: 'GET' })
  @IsOptional()
  @IsIn(HTTP_METHODS)
  method?: HttpMethod;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { Accept: 'application/json' }, default: {} })
  @IsOptional()
  @IsHeaderMap()
  request_header?: Record<string, string>;

  @ApiPropertyOptional({ description: 'Any JSON, sent as the request body (POST/PUT/PATCH).', example: { ping: true }, nullable: true })
  @IsOptional()
  request_body?: unknown;

  @ApiPropertyOptional({ default: false, description: 'An active monitor starts checking at once.' })
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;

  @ApiProperty({ minimum: MIN_CHECK_INTERVAL_S, maximum: MAX_CHECK_INTERVAL_S, example: 60, description: 'Seconds between checks.' })
  @IsInt()
  @Min(MIN_CHECK_INTERVAL_S)
  @Max(MAX_CHECK_INTERVAL_S)
  check_interval: number;

  @ApiProperty({ minimum: 1, maximum: MAX_TIMEOUT_S, example: 10, description: 'Seconds: deadline of one check.' })
  @IsInt()
  @Min(1)
  @Max(MAX_TIMEOUT_S)
  timeout: number;

  @ApiPropertyOptional({
    type: [StatusRangeDto],
    default: [{ min: 200, max: 399 }],
    example: [{ min: 200, max: 299 }, { min: 404, max: 404 }],
    description: 'Inclusive ranges of healthy status codes.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => StatusRangeDto)
  expected_status_ranges?: StatusRangeDto[];

  @ApiPropertyOptional({ example: '"status":"ok"', nullable: true, maxLength: 500, description: 'Text that must (or must not) appear in the response body.' })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  keyword?: string | null;

  @ApiPropertyOptional({ enum: ['present', 'absent'], default: 'present' })
  @IsOptional()
  @IsIn(['present', 'absent'])
  keyword_mode?: KeywordMode;

  @ApiPropertyOptional({ minimum: 1, maximum: 600_000, nullable: true, example: 2000, description: 'A slower response counts as a failure.' })
  @ValidateIf((_o, v) => v !== undefined && v !== null)
  @IsInt()
  @Min(1)
  @Max(600_000)
  max_response_time_ms?: number | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  follow_redirects?: boolean;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 3, description: 'Consecutive failed checks before the monitor is DOWN.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  failure_threshold?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 2, description: 'Consecutive successful checks before a DOWN monitor is UP again.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  recovery_threshold?: number;
}

/** Every create field but `is_active` (use start/pause); at least one must be present. */
export class UpdateMonitorRequestDto extends PartialType(OmitType(CreateMonitorRequestDto, ['is_active'] as const)) {}

export class MonitorResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ example: 'Checkout API' }) name: string;
  @ApiProperty({ example: 'https://shop.example.com/api/health' }) url: string;
  @ApiProperty({ example: 'https://github.com/acme/shop', nullable: true }) repo_link: string | null;
  @ApiProperty({ enum: HTTP_METHODS, example: 'GET' }) method: HttpMethod;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { Accept: 'application/json' } }) request_header: Record<string, string>;
  @ApiProperty({ nullable: true, example: null }) request_body: unknown;
  @ApiProperty({ example: true }) is_active: boolean;
  @ApiProperty({ example: 60 }) check_interval: number;
  @ApiProperty({ example: 10 }) timeout: number;
  @ApiProperty({ enum: MONITOR_STATUSES, nullable: true, example: 'UP' }) status: MonitorStatus | null;
  @ApiProperty({ nullable: true, example: '2026-01-01T12:00:00.000Z' }) last_checked_at: Date | null;
  @ApiProperty({ type: [StatusRangeDto], example: [{ min: 200, max: 399 }] }) expected_status_ranges: StatusRangeDto[];
  @ApiProperty({ nullable: true, example: null }) keyword: string | null;
  @ApiProperty({ enum: ['present', 'absent'], example: 'present' }) keyword_mode: KeywordMode;
  @ApiProperty({ nullable: true, example: null }) max_response_time_ms: number | null;
  @ApiProperty({ example: true }) follow_redirects: boolean;
  @ApiProperty({ example: 3 }) failure_threshold: number;
  @ApiProperty({ example: 2 }) recovery_threshold: number;
  @ApiProperty({ format: 'uuid', nullable: true, description: 'The most recently linked GitHub token, if any.' }) github_token_id: string | null;
  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' }) created_at: Date;
  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' }) updated_at: Date;
}

export class MonitorEnvelopeDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: MonitorResponseDto }) data: MonitorResponseDto;
}

export class MonitorListEnvelopeDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: [MonitorResponseDto] }) data: MonitorResponseDto[];
}

export class MonitorCheckResponseDto {
  @ApiProperty({ example: '1042', description: 'Sequential id (a string: it is a 64-bit integer).' }) id: string;
  @ApiProperty({ format: 'uuid' }) monitor_id: string;
  @ApiProperty({ enum: MONITOR_STATUSES, example: 'UP' }) status: MonitorStatus;
  @ApiProperty({ nullable: true, example: 182 }) response_time_ms: number | null;
  @ApiProperty({ nullable: true, example: 200 }) status_code: number | null;
  @ApiProperty({ nullable: true, example: null }) error_message: string | null;
  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' }) checked_at: Date;
}

export class MonitorHistoryEnvelopeDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: [MonitorCheckResponseDto] }) data: MonitorCheckResponseDto[];
}

export class SuccessResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiPropertyOptional({ example: 'Monitor started' }) message?: string;
}

export class MonitorDeletedResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ example: 'Monitor deleted' }) message: string;
}

export class MonitorPausedResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ example: 'Monitor paused' }) message: string;
}
