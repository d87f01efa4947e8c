export * from './access-token.service';
export * from './auth.module';
export * from './authenticated-user';
export * from './authenticated.decorator';
export * from './jwt-auth.guard';
