import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';

/** Printable ASCII without spaces: classic (40 hex), ghp_/gho_/ghs_… and github_pat_… tokens of GitHub and GitHub Enterprise. */
const TOKEN_SHAPE = /^[\x21-\x7e]+$/;
const TOKEN_MESSAGE = 'access_token must be a GitHub token (8–512 printable characters, no spaces)';

export class CreateGithubTokenRequestDto {
  @ApiProperty({ example: 'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', description: 'Stored encrypted (AES-256-GCM); only its last four characters are ever shown.' })
  @IsString({ message: TOKEN_MESSAGE })
  @MinLength(8, { message: TOKEN_MESSAGE })
  @MaxLength(512, { message: TOKEN_MESSAGE })
  @Matches(TOKEN_SHAPE, { message: TOKEN_MESSAGE })
  access_token: string;
}

export class UpdateGithubTokenRequestDto {
  @ApiPropertyOptional({ example: 'github_pat_xxxxxxxxxxxxxxxxxxxxxx', description: 'Replaces the stored token.' })
  @IsOptional()
  @IsString({ message: TOKEN_MESSAGE })
  @MinLength(8, { message: TOKEN_MESSAGE })
  @MaxLength(512, { message: TOKEN_MESSAGE })
  @Matches(TOKEN_SHAPE, { message: TOKEN_MESSAGE })
  access_token?: string;

  @ApiPropertyOptional({ example: false, description: 'An inactive token is not used for fixes.' })
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;
}

export class GithubTokenResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ example: true }) is_active: boolean;
  @ApiProperty({ example: 'x9Qz', description: 'Last four characters of the token; the token itself is never returned.' }) token_last4: string;
  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' }) created_at: Date;
  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' }) updated_at: Date;
}

export class GithubTokenEnvelopeDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: GithubTokenResponseDto }) data: GithubTokenResponseDto;
}

export class GithubTokenListEnvelopeDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: [GithubTokenResponseDto] }) data: GithubTokenResponseDto[];
}

export class MonitorGithubTokenResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) monitor_id: string;
  @ApiProperty({ format: 'uuid' }) github_token_id: string;
  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' }) created_at: Date;
}

export class MonitorGithubTokenEnvelopeDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: MonitorGithubTokenResponseDto }) data: MonitorGithubTokenResponseDto;
}
