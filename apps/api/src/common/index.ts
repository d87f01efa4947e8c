export * from './api-exception.filter';
export * from './api-responses';
export * from './entity-id.pipe';
export * from './pagination.dto';
export * from './request-validation.exception';
