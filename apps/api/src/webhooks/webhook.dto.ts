import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { WEBHOOK_PROVIDERS, type WebhookProvider } from '@epitrace/entities';

export class CreateWebhookRequestDto {
  @ApiProperty({ enum: WEBHOOK_PROVIDERS, example: 'slack' })
  @IsIn(WEBHOOK_PROVIDERS)
  provider: WebhookProvider;

  @ApiProperty({
    example: 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX',
    description: 'Slack: https://hooks.slack.com/…; Discord: https://discord.com/api/webhooks/<id>/<token>. Stored encrypted; never returned in full.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  webhook_url: string;
}

export class UpdateWebhookRequestDto {
  @ApiPropertyOptional({ enum: WEBHOOK_PROVIDERS, example: 'discord' })
  @IsOptional()
  @IsIn(WEBHOOK_PROVIDERS)
  provider?: WebhookProvider;

  @ApiPropertyOptional({ example: 'https://discord.com/api/webhooks/123456789012345678/abcdefghijklmnop' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  webhook_url?: string;

  @ApiPropertyOptional({ example: false, description: 'Inactive webhooks get no alerts.' })
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;
}

export class WebhookResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ enum: WEBHOOK_PROVIDERS, example: 'slack' }) provider: WebhookProvider;
  @ApiProperty({
    example: 'https://hooks.slack.com/…XXXX',
    description: 'MASKED: scheme, host and last four characters. The full URL is a credential and is never returned.',
  })
  webhook_url: string;
  @ApiProperty({ example: true }) is_active: boolean;
  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' }) created_at: Date;
  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' }) updated_at: Date;
}

export class WebhookEnvelopeDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: WebhookResponseDto }) data: WebhookResponseDto;
}

export class WebhookListEnvelopeDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: [WebhookResponseDto] }) data: WebhookResponseDto[];
}

export class MonitorWebhookResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) monitor_id: string;
  @ApiProperty({ format: 'uuid' }) webhook_id: string;
  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' }) created_at: Date;
}

export class MonitorWebhookEnvelopeDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: MonitorWebhookResponseDto }) data: MonitorWebhookResponseDto;
}
