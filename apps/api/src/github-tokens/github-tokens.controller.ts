import { Body, Controller, Delete, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Authenticated, CurrentUser } from '../auth/authenticated.decorator';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { ApiCommonErrorResponses, ApiConflictResponse, ApiNotFoundResponse, ApiValidationErrorResponse } from '../common/api-responses';
import { EntityId } from '../common/entity-id.pipe';
import { MessageResponseDto } from '../common/message-response.dto';
import { PaginationQueryDto } from '../common/pagination.dto';
import {
  CreateGithubTokenRequestDto,
  GithubTokenEnvelopeDto,
  GithubTokenListEnvelopeDto,
  MonitorGithubTokenEnvelopeDto,
  UpdateGithubTokenRequestDto,
} from './github-token.dto';
import { GithubTokensService } from './github-tokens.service';

const ID = { name: 'id', format: 'uuid', description: 'GitHub token id' };
const MONITOR_ID = { name: 'monitorId', format: 'uuid', description: 'Monitor id' };
const TOKEN_ID = { name: 'tokenId', format: 'uuid', description: 'GitHub token id' };

@ApiTags('github-tokens')
@Controller('github-token')
@Authenticated()
@ApiCommonErrorResponses()
export class GithubTokensController {
  constructor(private readonly tokens: GithubTokensService) {}

  @Post()
  @ApiOperation({ summary: 'Store a GitHub token (encrypted; only its last four characters are ever shown)' })
  @ApiBody({ type: CreateGithubTokenRequestDto })
  @ApiResponse({ status: 201, type: GithubTokenEnvelopeDto })
  @ApiValidationErrorResponse()
  async create(@CurrentUser() user: AuthenticatedUser, @Body() dto: CreateGithubTokenRequestDto) {
    return { success: true, data: await this.tokens.create(user.id, dto) };
  }

  @Get()
  @ApiOperation({ summary: 'My GitHub tokens, newest first' })
  @ApiResponse({ status: 200, type: GithubTokenListEnvelopeDto })
  async list(@CurrentUser() user: AuthenticatedUser, @Query() query: PaginationQueryDto) {
    return { success: true, data: await this.tokens.list(user.id, query) };
  }

  @Get('monitor/:monitorId')
  @ApiOperation({ summary: 'GitHub tokens linked to a monitor, most recently linked first' })
  @ApiParam(MONITOR_ID)
  @ApiResponse({ status: 200, type: GithubTokenListEnvelopeDto })
  @ApiNotFoundResponse('Monitor')
  async listForMonitor(@CurrentUser() user: AuthenticatedUser, @EntityId('monitorId', 'Monitor') monitorId: string) {
    return { success: true, data: await this.tokens.listForMonitor(user.id, monitorId) };
  }

  @Post('monitor/:monitorId/add/:tokenId')
  @ApiOperation({ summary: 'Use this token for the monitor’s auto-fix pull requests' })
  @ApiParam(MONITOR_ID)
  @ApiParam(TOKEN_ID)
  @ApiResponse({ status: 201, type: MonitorGithubTokenEnvelopeDto })
  @ApiNotFoundResponse('Monitor or GitHub token')
  @ApiConflictResponse('Already linked')
  async link(
    @CurrentUser() user: AuthenticatedUser,
    @EntityId('monitorId', 'Monitor') monitorId: string,
    @EntityId('tokenId', 'GitHub token') tokenId: string,
  ) {
    return { success: true, data: await this.tokens.link(user.id, monitorId, tokenId) };
  }

  @Delete('monitor/:monitorId/remove/:tokenId')
  @ApiOperation({ summary: 'Unlink a token from a monitor' })
  @ApiParam(MONITOR_ID)
  @ApiParam(TOKEN_ID)
  @ApiResponse({ status: 200, type: MessageResponseDto })
  @ApiNotFoundResponse('Monitor, GitHub token or link')
  async unlink(
    @CurrentUser() user: AuthenticatedUser,
    @EntityId('monitorId', 'Monitor') monitorId: string,
    @EntityId('tokenId', 'GitHub token') tokenId: string,
  ) {
    await this.tokens.unlink(user.id, monitorId, tokenId);
    return { success: true, message: 'GitHub token removed from monitor' };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One GitHub token (metadata only)' })
  @ApiParam(ID)
  @ApiResponse({ status: 200, type: GithubTokenEnvelopeDto })
  @ApiNotFoundResponse('GitHub token')
  async get(@CurrentUser() user: AuthenticatedUser, @EntityId('id', 'GitHub token') id: string) {
    return { success: true, data: await this.tokens.get(user.id, id) };
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Replace the token or change its active flag (at least one)' })
  @ApiParam(ID)
  @ApiBody({ type: UpdateGithubTokenRequestDto })
  @ApiResponse({ status: 200, type: GithubTokenEnvelopeDto })
  @ApiNotFoundResponse('GitHub token')
  @ApiValidationErrorResponse()
  async update(@CurrentUser() user: AuthenticatedUser, @EntityId('id', 'GitHub token') id: string, @Body() dto: UpdateGithubTokenRequestDto) {
    return { success: true, data: await this.tokens.update(user.id, id, dto) };
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a GitHub token (and its links to monitors)' })
  @ApiParam(ID)
  @ApiResponse({ status: 200, type: MessageResponseDto })
  @ApiNotFoundResponse('GitHub token')
  async remove(@CurrentUser() user: AuthenticatedUser, @EntityId('id', 'GitHub token') id: string) {
    await this.tokens.remove(user.id, id);
    return { success: true, message: 'GitHub token deleted' };
  }
}
