import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/authenticated.decorator';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { ApiCommonErrorResponses, ApiNotFoundResponse, ApiValidationErrorResponse } from '../common/api-responses';
import { EntityId } from '../common/entity-id.pipe';
import { PaginationQueryDto } from '../common/pagination.dto';
import { IncidentEnvelopeDto, IncidentListEnvelopeDto, MonitorStatsEnvelopeDto, StatsQueryDto } from './incident.dto';
import { IncidentsService } from './incidents.service';
import { MonitorStatsService } from './monitor-stats.service';

const MONITOR_ID = { name: 'id', format: 'uuid', description: 'Monitor id' };

@ApiTags('incidents')
@Controller('monitor')
@Authenticated()
@ApiCommonErrorResponses()
export class MonitorIncidentsController {
  constructor(
    private readonly incidents: IncidentsService,
    private readonly stats: MonitorStatsService,
  ) {}

  @Get(':id/incidents')
  @ApiOperation({ summary: "A monitor's incidents (one per outage), newest first (limit ≤ 200)" })
  @ApiParam(MONITOR_ID)
  @ApiResponse({ status: 200, type: IncidentListEnvelopeDto })
  @ApiNotFoundResponse('Monitor')
  @ApiValidationErrorResponse()
  async list(@CurrentUser() user: AuthenticatedUser, @EntityId('id', 'Monitor') id: string, @Query() query: PaginationQueryDto) {
    return { success: true, data: await this.incidents.listForMonitor(user.id, id, query) };
  }

  @Get(':id/stats')
  @ApiOperation({ summary: 'Uptime %, checks, p50/p95 response time and incident count over 24h, 7d or 30d' })
  @ApiParam(MONITOR_ID)
  @ApiResponse({ status: 200, type: MonitorStatsEnvelopeDto })
  @ApiNotFoundResponse('Monitor')
  @ApiValidationErrorResponse()
  async monitorStats(@CurrentUser() user: AuthenticatedUser, @EntityId('id', 'Monitor') id: string, @Query() query: StatsQueryDto) {
    return { success: true, data: await this.stats.stats(user.id, id, query.window ?? '24h') };
  }
}

@ApiTags('incidents')
@Controller('incidents')
@Authenticated()
@ApiCommonErrorResponses()
export class IncidentsController {
  constructor(private readonly incidents: IncidentsService) {}

  @Get(':id')
  @ApiOperation({ summary: 'One incident, with its analysis once available' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'Incident id' })
  @ApiResponse({ status: 200, type: IncidentEnvelopeDto })
  @ApiNotFoundResponse('Incident')
  async get(@CurrentUser() user: AuthenticatedUser, @EntityId('id', 'Incident') id: string) {
    return { success: true, data: await this.incidents.get(user.id, id) };
  }
}
