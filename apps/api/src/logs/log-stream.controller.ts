import { Controller, Get, HttpCode, NotFoundException, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiValidationErrorResponse, ErrorResponseDto } from '../common/api-responses';
import { validationFailure } from '../common/request-validation.exception';
import { Authenticated, CurrentUser } from '../auth/authenticated.decorator';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { LOG_ID_PATTERN, toLogEntry } from './log-entry';
import { LogHistoryQueryDto, LogHistoryResponseDto, LogStreamQueryDto, StreamTokenResponseDto } from './log-query.dto';
import { LogScope, LogStore } from './log-store.service';
import { LogStreamService } from './log-stream.service';
import { StreamAuthService } from './stream-auth.service';

/** Reading fix-job logs: live (SSE) and as history. Owners only. */
@ApiTags('logs')
@Controller('logs/code-worker')
export class LogStreamController {
  constructor(
    private readonly auth: StreamAuthService,
    private readonly store: LogStore,
    private readonly streams: LogStreamService,
  ) {}

  @Get('stream')
  @ApiOperation({
    summary: 'Live log of your fix jobs (Server-Sent Events)',
    description:
      'Events: `connected` {success, message, filters:{jobId}}, `log` (an entry, with `id:`), `heartbeat` {ts} every 15 s. ' +
      'Authenticate with `Authorization: Bearer <jwt>` or `?token=<stream token>`. Resume with the `Last-Event-ID` header or `?lastEventId=`.',
  })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'text/event-stream' })
  @ApiResponse({ status: 401, type: ErrorResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such fix job of yours' })
  @ApiResponse({
    status: 429,
    type: ErrorResponseDto,
    description: 'You already hold LOG_STREAM_MAX_PER_USER (default 20) open streams on this api process; close one first',
  })
  @ApiValidationErrorResponse()
  async stream(@Req() req: Request, @Res() res: Response, @Query() query: LogStreamQueryDto): Promise<void> {
    const userId = await this.auth.userFromHeaderOrStreamToken(req, query.token);
    const header = req.headers['last-event-id'];
    const lastEventId = typeof header === 'string' && header.trim() ? header.trim() : (query.lastEventId ?? null);
    if (lastEventId !== null && !LOG_ID_PATTERN.test(lastEventId)) throw validationFailure('Last-Event-ID must be a log id', ['Last-Event-ID']);
    const scope = await this.scopeFor(userId, query.jobId);
    await this.streams.open(req, res, scope, lastEventId);
  }

  @Post('stream-token')
  @HttpCode(201)
  @Authenticated()
  @ApiOperation({ summary: 'A short-lived token for `GET /logs/code-worker/stream?token=` (EventSource cannot send headers)' })
  @ApiResponse({ status: 201, type: StreamTokenResponseDto })
  async streamToken(@CurrentUser() user: AuthenticatedUser): Promise<StreamTokenResponseDto> {
    const { token, expiresAt } = await this.auth.issueStreamToken(user.id);
    return { success: true, data: { token, expires_at: expiresAt.toISOString() } };
  }

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'Log history as JSON, oldest first; page with `after` = the last id received' })
  @ApiResponse({ status: 200, type: LogHistoryResponseDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such fix job of yours' })
  @ApiValidationErrorResponse()
  async history(@CurrentUser() user: AuthenticatedUser, @Query() query: LogHistoryQueryDto): Promise<LogHistoryResponseDto> {
    const scope = await this.scopeFor(user.id, query.jobId);
    const rows = await this.store.after(scope, query.after ?? '0', query.limit ?? 500);
    return { success: true, data: rows.map(toLogEntry) };
  }

  /** Someone else's job answers exactly like a missing one. */
  private async scopeFor(userId: string, jobId: string | undefined): Promise<LogScope> {
    if (!jobId) return { userId, jobId: null };
    const id = jobId.toLowerCase();
    if (!(await this.store.isJobOwnedBy(id, userId))) throw new NotFoundException('Fix job not found');
    return { userId, jobId: id };
  }
}
