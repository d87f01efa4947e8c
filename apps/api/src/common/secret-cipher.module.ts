import { Module } from '@nestjs/common';
import { APP_CONFIG } from '@epitrace/nest-common';
import { SecretCipher } from '@epitrace/secrets';
import type { ApiConfig } from '../config/api.config';

/** The AES-256-GCM cipher for secrets at rest (GitHub tokens, webhook URLs), keyed by ENCRYPTION_KEY. */
@Module({
  providers: [{ provide: SecretCipher, inject: [APP_CONFIG], useFactory: (config: ApiConfig) => new SecretCipher(config.ENCRYPTION_KEY) }],
  exports: [SecretCipher],
})
export class SecretCipherModule {}
