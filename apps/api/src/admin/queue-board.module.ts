import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { QUEUES } from '@epitrace/queue-contracts';
import type { ApiConfig } from '../config/api.config';
import { basicAuth } from './basic-auth.middleware';

export const QUEUE_BOARD_ROUTE = '/admin/queues';

/**
 * Bull Board for operators at /admin/queues, behind HTTP Basic auth. Off unless
 * BULL_BOARD_PASSWORD is set: job data holds only ids, but retrying or deleting jobs is
 * an operator's power.
 */
@Module({})
export class QueueBoardModule {
  static forRoot(config: ApiConfig): DynamicModule {
    if (!config.BULL_BOARD_PASSWORD) return { module: QueueBoardModule };
    const queues = Object.values(QUEUES);
    return {
      module: QueueBoardModule,
      imports: [
        ...queues.map((name) => BullModule.registerQueue({ name })),
        BullBoardModule.forRoot({
          route: QUEUE_BOARD_ROUTE,
          adapter: ExpressAdapter,
          middleware: basicAuth(config.BULL_BOARD_USERNAME, config.BULL_BOARD_PASSWORD, 'EpiTrace queues'),
        }),
        ...queues.map((name) => BullBoardModule.forFeature({ name, adapter: BullMQAdapter })),
      ],
    };
  }
}
