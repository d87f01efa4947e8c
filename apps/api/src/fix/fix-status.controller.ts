import { Controller, Get, Header, Headers } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { EntityId, ErrorResponseDto } from '../common';
import { isFinished } from './fix-job-view';
import { FixJobsService } from './fix-jobs.service';
import { FixStatusEnvelopeDto, presentFixStatus } from './fix-status.presenter';
import { FIX_STATUS_TOKEN_HEADER, FIX_STATUS_TOKEN_TTL_SECONDS, FixStatusTokens } from './fix-status-tokens';

/** Where the page shown after an alert's auto-fix link polls its job: no login, one job, a short-lived token. */
export const fixStatusPath = (fixJobId: string) => `/alert/fix-jobs/${fixJobId}/status`;

@ApiTags('auto-fix')
@Controller('alert/fix-jobs')
export class FixStatusController {
  constructor(
    private readonly tokens: FixStatusTokens,
    private readonly fixJobs: FixJobsService,
  ) {}

  @Get(':id/status')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Live status of the fix job an alert link started (what its status page polls)',
    description:
      `Needs no login: authorised by the status token the page was rendered with after the link's single-use token was checked. ` +
      `The token names one job and expires after ${FIX_STATUS_TOKEN_TTL_SECONDS / 60} minutes; every answer about a running job carries a renewed one. ` +
      'Answers only the progress and the pull request link.',
  })
  @ApiHeader({ name: FIX_STATUS_TOKEN_HEADER, required: true, description: 'The status token from the page (or the previous answer)' })
  @ApiResponse({ status: 200, type: FixStatusEnvelopeDto })
  @ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing, invalid or expired status token' })
  @ApiResponse({ status: 403, type: ErrorResponseDto, description: 'The status token is for another fix job' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such fix job (a malformed id, or it was deleted with its monitor)' })
  async status(@EntityId('id', 'Fix job') id: string, @Headers(FIX_STATUS_TOKEN_HEADER) token: string | undefined): Promise<FixStatusEnvelopeDto> {
    this.tokens.verify(token, id);
    const job = await this.fixJobs.getForStatusPage(id);
    return presentFixStatus(job, isFinished(job) ? null : this.tokens.issue(job.id));
  }
}
