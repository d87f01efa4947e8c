import { Body, Controller, Delete, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/authenticated.decorator';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { ApiCommonErrorResponses, ApiConflictResponse, ApiNotFoundResponse, ApiValidationErrorResponse } from '../common/api-responses';
import { EntityId } from '../common/entity-id.pipe';
import { PaginationQueryDto } from '../common/pagination.dto';
import { MessageResponseDto } from '../common/message-response.dto';
import {
  CreateWebhookRequestDto,
  MonitorWebhookEnvelopeDto,
  UpdateWebhookRequestDto,
  WebhookEnvelopeDto,
  WebhookListEnvelopeDto,
} from './webhook.dto';
import { WebhooksService } from './webhooks.service';

const ID = { name: 'id', format: 'uuid', description: 'Webhook id' };
const MONITOR_ID = { name: 'monitorId', format: 'uuid', description: 'Monitor id' };
const WEBHOOK_ID = { name: 'webhookId', format: 'uuid', description: 'Webhook id' };

@ApiTags('webhooks')
@Controller('webhook')
@Authenticated()
@ApiCommonErrorResponses()
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({ summary: 'Add a Slack or Discord incoming webhook (stored encrypted)' })
  @ApiBody({ type: CreateWebhookRequestDto })
  @ApiResponse({ status: 201, type: WebhookEnvelopeDto })
  @ApiConflictResponse('Same URL already added for this provider')
  @ApiValidationErrorResponse()
  async create(@CurrentUser() user: AuthenticatedUser, @Body() dto: CreateWebhookRequestDto) {
    return { success: true, data: await this.webhooks.create(user.id, dto) };
  }

  @Get()
  @ApiOperation({ summary: 'My active webhooks, newest first' })
  @ApiResponse({ status: 200, type: WebhookListEnvelopeDto })
  async list(@CurrentUser() user: AuthenticatedUser, @Query() query: PaginationQueryDto) {
    return { success: true, data: await this.webhooks.listActive(user.id, query) };
  }

  @Get('monitor/:monitorId')
  @ApiOperation({ summary: 'Webhooks linked to a monitor' })
  @ApiParam(MONITOR_ID)
  @ApiResponse({ status: 200, type: WebhookListEnvelopeDto })
  @ApiNotFoundResponse('Monitor')
  async listForMonitor(@CurrentUser() user: AuthenticatedUser, @EntityId('monitorId', 'Monitor') monitorId: string) {
    return { success: true, data: await this.webhooks.listForMonitor(user.id, monitorId) };
  }

  @Post('monitor/:monitorId/add/:webhookId')
  @ApiOperation({ summary: 'Send this monitor’s alerts to this webhook' })
  @ApiParam(MONITOR_ID)
  @ApiParam(WEBHOOK_ID)
  @ApiResponse({ status: 201, type: MonitorWebhookEnvelopeDto })
  @ApiNotFoundResponse('Monitor or webhook')
  @ApiConflictResponse('Already linked')
  async link(
    @CurrentUser() user: AuthenticatedUser,
    @EntityId('monitorId', 'Monitor') monitorId: string,
    @EntityId('webhookId', 'Webhook') webhookId: string,
  ) {
    return { success: true, data: await this.webhooks.link(user.id, monitorId, webhookId) };
  }

  @Delete('monitor/:monitorId/remove/:webhookId')
  @ApiOperation({ summary: 'Stop sending this monitor’s alerts to this webhook' })
  @ApiParam(MONITOR_ID)
  @ApiParam(WEBHOOK_ID)
  @ApiResponse({ status: 200, type: MessageResponseDto })
  @ApiNotFoundResponse('Monitor, webhook or link')
  async unlink(
    @CurrentUser() user: AuthenticatedUser,
    @EntityId('monitorId', 'Monitor') monitorId: string,
    @EntityId('webhookId', 'Webhook') webhookId: string,
  ) {
    await this.webhooks.unlink(user.id, monitorId, webhookId);
    return { success: true, message: 'Webhook removed from monitor' };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One webhook (active or not)' })
  @ApiParam(ID)
  @ApiResponse({ status: 200, type: WebhookEnvelopeDto })
  @ApiNotFoundResponse('Webhook')
  async get(@CurrentUser() user: AuthenticatedUser, @EntityId('id', 'Webhook') id: string) {
    return { success: true, data: await this.webhooks.get(user.id, id) };
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change provider, URL or active flag (at least one)' })
  @ApiParam(ID)
  @ApiBody({ type: UpdateWebhookRequestDto })
  @ApiResponse({ status: 200, type: WebhookEnvelopeDto })
  @ApiNotFoundResponse('Webhook')
  @ApiConflictResponse('Same URL already added for this provider')
  @ApiValidationErrorResponse()
  async update(@CurrentUser() user: AuthenticatedUser, @EntityId('id', 'Webhook') id: string, @Body() dto: UpdateWebhookRequestDto) {
    return { success: true, data: await this.webhooks.update(user.id, id, dto) };
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a webhook (and its links to monitors)' })
  @ApiParam(ID)
  @ApiResponse({ status: 200, type: MessageResponseDto })
  @ApiNotFoundResponse('Webhook')
  async remove(@CurrentUser() user: AuthenticatedUser, @EntityId('id', 'Webhook') id: string) {
    await this.webhooks.remove(user.id, id);
    return { success: true, message: 'Webhook deleted' };
  }
}
