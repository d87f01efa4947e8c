import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DevResetService } from './dev-reset.service';

export class DevResetResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ example: 'Database reset' }) message: string;
  @ApiProperty({ example: ['github_tokens', 'monitors', 'users'] }) tables: string[];
  @ApiProperty({ example: 2 }) removed_schedules: number;
}

/** Registered only when NODE_ENV=development and DEV_RESET_DB_ENABLED=true (see AppModule); otherwise the route is a 404. */
@ApiTags('development')
@Controller('dev')
export class DevController {
  constructor(private readonly resetter: DevResetService) {}

  @Get('reset-db')
  @ApiOperation({ summary: 'DEVELOPMENT ONLY: empty every application table and remove all monitor schedules' })
  @ApiResponse({ status: 200, type: DevResetResponseDto })
  async reset(): Promise<DevResetResponseDto> {
    const { tables, removedSchedules } = await this.resetter.reset();
    return { success: true, message: 'Database reset', tables, removed_schedules: removedSchedules };
  }
}
