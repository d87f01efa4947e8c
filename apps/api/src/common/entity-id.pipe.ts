import { Injectable, NotFoundException, Param, PipeTransform } from '@nestjs/common';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/**
 * A path id that is not a UUID cannot name any row, so it answers exactly like a missing row:
 * 404 `{error:"<Thing> not found"}` (never a 500 from Postgres' uuid parser).
 */
@Injectable()
export class EntityIdPipe implements PipeTransform<unknown, string> {
  constructor(private readonly thing: string) {}

  transform(value: unknown): string {
    if (!isUuid(value)) throw new NotFoundException(`${this.thing} not found`);
    return value.toLowerCase();
  }
}

/** `@EntityId('id', 'Monitor') id: string` — a UUID path parameter; anything else is that thing's 404. */
export function EntityId(param: string, thing: string): ParameterDecorator {
  return Param(param, new EntityIdPipe(thing));
}
