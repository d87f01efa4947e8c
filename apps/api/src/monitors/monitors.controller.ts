import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/authenticated.decorator';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { ApiCommonErrorResponses, ApiNotFoundResponse, ApiValidationErrorResponse } from '../common/api-responses';
import { EntityId } from '../common/entity-id.pipe';
import { PaginationQueryDto } from '../common/pagination.dto';
import {
  CreateMonitorRequestDto,
  MonitorDeletedResponseDto,
  MonitorEnvelopeDto,
  MonitorHistoryEnvelopeDto,
  MonitorListEnvelopeDto,
  MonitorPausedResponseDto,
  SuccessResponseDto,
  UpdateMonitorRequestDto,
} from './monitor.dto';
import { MonitorsService } from './monitors.service';

const ID = { name: 'id', format: 'uuid', description: 'Monitor id' };

@ApiTags('monitors')
@Controller('monitor')
@Authenticated()
@ApiCommonErrorResponses()
export class MonitorsController {
  constructor(private readonly monitors: MonitorsService) {}

  @Post('create')
  @ApiOperation({ summary: 'Create a monitor; an active one starts checking at once' })
  @ApiBody({ type: CreateMonitorRequestDto })
  @ApiResponse({ status: 201, type: MonitorEnvelopeDto })
  @ApiValidationErrorResponse()
  async create(@CurrentUser() user: AuthenticatedUser, @Body() dto: CreateMonitorRequestDto) {
    return { success: true, data: await this.monitors.create(user.id, dto) };
  }

  @Get()
  @ApiOperation({ summary: 'My monitors, newest first (limit ≤ 200)' })
  @ApiResponse({ status: 200, type: MonitorListEnvelopeDto })
  @ApiValidationErrorResponse()
  async list(@CurrentUser() user: AuthenticatedUser, @Query() query: PaginationQueryDto) {
    return { success: true, data: await this.monitors.list(user.id, query) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One monitor' })
  @ApiParam(ID)
  @ApiResponse({ status: 200, type: MonitorEnvelopeDto })
  @ApiNotFoundResponse('Monitor')
  async get(@CurrentUser() user: AuthenticatedUser, @EntityId('id', 'Monitor') id: string) {
    return { success: true, data: await this.monitors.get(user.id, id) };
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change any create field but is_active; an active monitor is rescheduled at once' })
  @ApiParam(ID)
  @ApiBody({ type: UpdateMonitorRequestDto })
  @ApiResponse({ status: 200, type: MonitorEnvelopeDto })
  @ApiNotFoundResponse('Monitor')
  @ApiValidationErrorResponse()
  async update(@CurrentUser() user: AuthenticatedUser, @EntityId('id', 'Monitor') id: string, @Body() dto: UpdateMonitorRequestDto) {
    return { success: true, data: await this.monitors.update(user.id, id, dto) };
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Stop checking, then delete (with its checks, links and incidents)' })
  @ApiParam(ID)
  @ApiResponse({ status: 200, type: MonitorDeletedResponseDto })
  @ApiNotFoundResponse('Monitor')
  async remove(@CurrentUser() user: AuthenticatedUser, @EntityId('id', 'Monitor') id: string) {
    await this.monitors.remove(user.id, id);
    return { success: true, message: 'Monitor deleted' };
  }

  @Post('start/:id')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Activate and schedule; a no-op for an active monitor' })
  @ApiParam(ID)
  @ApiResponse({ status: 200, type: SuccessResponseDto })
  @ApiNotFoundResponse('Monitor')
  start(@CurrentUser() user: AuthenticatedUser, @EntityId('id', 'Monitor') id: string) {
    return this.startOrResume(user, id);
  }

  @Post('resume/:id')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Same as start' })
  @ApiParam(ID)
  @ApiResponse({ status: 200, type: SuccessResponseDto })
  @ApiNotFoundResponse('Monitor')
  resume(@CurrentUser() user: AuthenticatedUser, @EntityId('id', 'Monitor') id: string) {
    return this.startOrResume(user, id);
  }

  @Post('pause/:id')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Deactivate and remove the schedule' })
  @ApiParam(ID)
  @ApiResponse({ status: 200, type: MonitorPausedResponseDto })
  @ApiNotFoundResponse('Monitor')
  async pause(@CurrentUser() user: AuthenticatedUser, @EntityId('id', 'Monitor') id: string) {
    await this.monitors.pause(user.id, id);
    return { success: true, message: 'Monitor paused' };
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Check results, newest first (limit ≤ 200)' })
  @ApiParam(ID)
  @ApiResponse({ status: 200, type: MonitorHistoryEnvelopeDto })
  @ApiNotFoundResponse('Monitor')
  @ApiValidationErrorResponse()
  async history(@CurrentUser() user: AuthenticatedUser, @EntityId('id', 'Monitor') id: string, @Query() query: PaginationQueryDto) {
    return { success: true, data: await this.monitors.history(user.id, id, query) };
  }

  private async startOrResume(user: AuthenticatedUser, id: string) {
    const { alreadyActive } = await this.monitors.start(user.id, id);
    return { success: true, message: alreadyActive ? 'Monitor already active' : 'Monitor started' };
  }
}
