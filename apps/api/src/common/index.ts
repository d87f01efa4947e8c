export * from './api-exception.filter';
export * from './api-responses';
export * from './entity-id.pipe';
export * from './message-response.dto';
export * from './pagination.dto';
export * from './request-validation.exception';
export * from './secret-cipher.module';
export * from './request-log-ids';
