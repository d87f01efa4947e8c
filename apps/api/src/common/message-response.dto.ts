import { ApiProperty } from '@nestjs/swagger';

export class MessageResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ example: 'Webhook deleted' }) message: string;
}
