import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ErrorResponseDto } from '../common/api-responses';
import { FixJobEnvelopeDto } from './fix-job.presenter';
import { FixJobsService } from './fix-jobs.service';
import { FixTriggerResponder } from './fix-trigger.responder';

const asToken = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 && value.length <= 4096 ? value : undefined);

/**
 * The one-click link in Slack/Discord alerts. A GET only shows what would happen (chat apps and
 * mail scanners fetch links by themselves); the page's button POSTs the token, which is used
 * exactly once and starts the fix.
 */
@ApiTags('auto-fix')
@Controller('alert')
export class FixTriggerController {
  constructor(
    private readonly fixJobs: FixJobsService,
    private readonly responder: FixTriggerResponder,
  ) {}

  @Get('trigger-agent')
  @ApiOperation({ summary: 'Confirmation page of an auto-fix link (starts nothing)' })
  @ApiQuery({ name: 'token', required: true, description: 'The signed, single-use token of the alert link' })
  @ApiProduces('text/html', 'application/json')
  @ApiResponse({ status: 200, description: 'The link is valid: an HTML page with a "Start auto-fix" button (JSON with Accept: application/json)' })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'No token, or a malformed one' })
  @ApiResponse({ status: 403, type: ErrorResponseDto, description: 'Tampered token (bad signature)' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'Unknown link, or its incident no longer exists' })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'The monitor no longer has a repository or an active GitHub token' })
  @ApiResponse({ status: 410, type: ErrorResponseDto, description: 'Expired or already used link (the used case shows the fix job it started)' })
  async confirm(@Query('token') token: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const result = await this.fixJobs.previewLink(asToken(token));
    if ('refusal' in result) return this.responder.refuse(req, res, result.refusal);
    this.responder.confirm(req, res, result.preview, asToken(token) as string);
  }

  @Post('trigger-agent')
  @ApiOperation({ summary: 'Use an auto-fix link: start the fix job (or show the one already running)' })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ schema: { type: 'object', properties: { token: { type: 'string' } } }, required: false, description: 'The token (or pass it as ?token=)' })
  @ApiProduces('text/html', 'application/json')
  @ApiResponse({ status: 202, type: FixJobEnvelopeDto, description: 'Fix job started' })
  @ApiResponse({ status: 200, type: FixJobEnvelopeDto, description: 'A fix for this incident is already running or done; that job is shown' })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'No token, or a malformed one' })
  @ApiResponse({ status: 403, type: ErrorResponseDto, description: 'Tampered token' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'Unknown link, or its incident no longer exists' })
  @ApiResponse({ status: 409, type: ErrorResponseDto, description: 'The monitor no longer has a repository or an active GitHub token' })
  @ApiResponse({ status: 410, type: ErrorResponseDto, description: 'Expired or already used link' })
  async start(@Body() body: unknown, @Query('token') queryToken: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const token = asToken((body as { token?: unknown } | undefined)?.token) ?? asToken(queryToken);
    const result = await this.fixJobs.startFromLink(token);
    if ('refusal' in result) return this.responder.refuse(req, res, result.refusal);
    this.responder.started(req, res, result);
  }
}
