import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { APP_CONFIG } from '@epitrace/nest-common';
import type { ApiConfig } from '../config/api.config';
import { UsersModule } from '../users/users.module';
import { AccessTokenService } from './access-token.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JWT_ALGORITHM, JwtStrategy } from './jwt.strategy';
import { RedisThrottlerStorage } from './redis-throttler.storage';

@Module({ providers: [RedisThrottlerStorage], exports: [RedisThrottlerStorage] })
class AuthRateLimitStorageModule {}

/** Register/login, the JWT strategy behind `@Authenticated()`, and the per-address rate limit on /auth. */
@Module({
  imports: [
    UsersModule,
    PassportModule,
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: ApiConfig) => ({
        secret: config.JWT_SECRET,
        signOptions: { algorithm: JWT_ALGORITHM, expiresIn: config.JWT_EXPIRES_IN as `${number}${'s' | 'm' | 'h' | 'd'}` },
      }),
    }),
    ThrottlerModule.forRootAsync({
      imports: [AuthRateLimitStorageModule],
      inject: [APP_CONFIG, RedisThrottlerStorage],
      useFactory: (config: ApiConfig, storage: RedisThrottlerStorage) => ({
        throttlers: [{ name: 'auth', ttl: 60_000, limit: config.AUTH_RATE_LIMIT_PER_MINUTE }],
        errorMessage: 'Too many requests; try again in a minute',
        storage,
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, AccessTokenService, JwtStrategy, JwtAuthGuard],
  exports: [AccessTokenService, JwtAuthGuard, UsersModule],
})
export class AuthModule {}
