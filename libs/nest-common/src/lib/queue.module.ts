import { BullModule } from '@nestjs/bullmq';
import { DynamicModule } from '@nestjs/common';
import { redisOptionsFromUrl } from '@epitrace/config';
import { APP_CONFIG, AppConfigBase } from './app-config.module';

/** The BullMQ connection (Redis URL and key prefix from config) shared by every queue of an app. */
export function createQueueRootModule(): DynamicModule {
  return BullModule.forRootAsync({
    inject: [APP_CONFIG],
    useFactory: (config: AppConfigBase) => ({
      connection: redisOptionsFromUrl(config.REDIS_URL),
      prefix: config.QUEUE_PREFIX,
    }),
  });
}
