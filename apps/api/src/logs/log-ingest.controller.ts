import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiResponse, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG } from '@epitrace/nest-common';
import { INGEST_SECRET_HEADER } from '@epitrace/queue-contracts';
import { ApiValidationErrorResponse, ErrorResponseDto } from '../common/api-responses';
import { RequestValidationException } from '../common/request-validation.exception';
import type { ApiConfig } from '../config/api.config';
import { IngestSecretGuard } from './ingest-secret.guard';
import { IngestLimits, parseIngestBody } from './log-ingest.schema';
import { LogIngestService } from './log-ingest.service';
import { IngestAcceptedDto } from './log-query.dto';

/** Internal: the code worker posts its job's log lines here. */
@ApiTags('logs')
@Controller('logs/code-worker')
export class LogIngestController {
  private readonly limits: IngestLimits;

  constructor(
    private readonly ingestService: LogIngestService,
    @Inject(APP_CONFIG) config: ApiConfig,
  ) {
    this.limits = { maxMessageLength: config.LOG_MAX_MESSAGE_LENGTH, maxBatch: config.LOG_MAX_BATCH };
  }

  @Post()
  @HttpCode(202)
  @UseGuards(IngestSecretGuard)
  @ApiHeader({ name: INGEST_SECRET_HEADER, required: true, description: 'INGEST_SECRET (internal callers only)' })
  @ApiBody({
    description: 'One entry `{message, level?, stage?, category?, jobId?, repo?, ts?}` or an array of them.',
    schema: { oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' } }] },
  })
  @ApiResponse({ status: 202, type: IngestAcceptedDto })
  @ApiResponse({ status: 401, type: ErrorResponseDto, description: 'Missing or wrong ingest secret' })
  @ApiValidationErrorResponse()
  async ingest(@Body() body: unknown): Promise<IngestAcceptedDto> {
    const parsed = parseIngestBody(body, this.limits);
    if ('errors' in parsed) throw new RequestValidationException(parsed.errors);
    const { accepted } = await this.ingestService.ingest(parsed.entries);
    return { success: true, accepted };
  }
}
