import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 200;

/** `?limit=&offset=`; limit defaults to 50; larger values are lowered to 200 so one request cannot dump a table. */
export class PaginationQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 50, example: 50, description: `Values above ${MAX_PAGE_SIZE} are treated as ${MAX_PAGE_SIZE}.` })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0, example: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  offset?: number;
}

export function pageOf(query: PaginationQueryDto): { take: number; skip: number } {
  return { take: Math.min(query.limit ?? 50, MAX_PAGE_SIZE), skip: query.offset ?? 0 };
}
