import { Controller, Get, HttpStatus, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import type { Response } from 'express';
import { Authenticated, CurrentUser } from '../auth';
import type { AuthenticatedUser } from '../auth';
import { ApiConflictResponse, ApiNotFoundResponse, ApiValidationErrorResponse, EntityId, PaginationQueryDto, pageOf } from '../common';
import { FixJobEnvelopeDto, FixJobListEnvelopeDto, ListedFixJobEnvelopeDto, presentFixJob, presentListedFixJob } from './fix-job.presenter';
import { FixJobsService } from './fix-jobs.service';

export class FixJobListQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the jobs of this incident' })
  @IsOptional()
  @IsUUID()
  incident_id?: string;
}

@ApiTags('auto-fix')
@Authenticated()
@Controller()
export class FixJobsController {
  constructor(private readonly fixJobs: FixJobsService) {}

  @Post('incidents/:id/fix')
  @ApiOperation({
    summary: 'Start an auto-fix for one of my incidents',
    description: 'Idempotent per incident: while a fix is queued, running or done, that job is returned (200). After a failed or no-change job, this starts a new attempt (202).',
  })
  @ApiResponse({ status: 202, type: FixJobEnvelopeDto, description: 'Fix job started' })
  @ApiResponse({ status: 200, type: FixJobEnvelopeDto, description: 'A fix for this incident is already queued, running or done' })
  @ApiNotFoundResponse('Incident')
  @ApiConflictResponse('The monitor has no repository link or no active GitHub token')
  async start(@EntityId('id', 'Incident') incidentId: string, @CurrentUser() user: AuthenticatedUser, @Res({ passthrough: true }) res: Response): Promise<FixJobEnvelopeDto> {
    const result = await this.fixJobs.startForUser(incidentId, user.id);
    res.status(result.outcome === 'started' ? HttpStatus.ACCEPTED : HttpStatus.OK);
    return { success: true, message: result.outcome === 'started' ? 'Auto-fix started' : 'A fix for this incident already exists', data: presentFixJob(result.job) };
  }

  @Get('fix-jobs')
  @ApiOperation({ summary: 'My auto-fix jobs, newest first' })
  @ApiResponse({ status: 200, type: FixJobListEnvelopeDto })
  @ApiValidationErrorResponse()
  async list(@Query() query: FixJobListQueryDto, @CurrentUser() user: AuthenticatedUser): Promise<FixJobListEnvelopeDto> {
    const jobs = await this.fixJobs.list(user.id, pageOf(query), query.incident_id);
    return { success: true, data: jobs.map(({ job, monitorName }) => presentListedFixJob(job, monitorName)) };
  }

  @Get('fix-jobs/:id')
  @ApiOperation({ summary: 'One of my auto-fix jobs' })
  @ApiResponse({ status: 200, type: ListedFixJobEnvelopeDto })
  @ApiNotFoundResponse('Fix job')
  async get(@EntityId('id', 'Fix job') id: string, @CurrentUser() user: AuthenticatedUser): Promise<ListedFixJobEnvelopeDto> {
    const { job, monitorName } = await this.fixJobs.get(user.id, id);
    return { success: true, data: presentListedFixJob(job, monitorName) };
  }
}
