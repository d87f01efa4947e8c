import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { Controller, DynamicModule, Get, Header, Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import { metricsRegistry, queueJobs, startDefaultMetrics } from '@epitrace/metrics';
import { APP_CONFIG, AppConfigBase } from './app-config.module';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
const WATCHED_QUEUES = Symbol('WATCHED_QUEUES');

/** Reads queue depths when Prometheus scrapes, so the figures are current and cost nothing in between. */
@Injectable()
export class QueueDepthCollector implements OnModuleInit {
  constructor(
    @Inject(WATCHED_QUEUES) private readonly queueNames: string[],
    @Inject(APP_CONFIG) private readonly config: AppConfigBase,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit() {
    startDefaultMetrics(this.config.APP_NAME);
  }

  async collect(): Promise<void> {
    await Promise.all(
      this.queueNames.map(async (name) => {
        const queue = this.moduleRef.get<Queue>(getQueueToken(name), { strict: false });
        try {
          const counts = await queue.getJobCounts(...QUEUE_STATES);
          for (const state of QUEUE_STATES) queueJobs.set({ queue: name, state }, counts[state] ?? 0);
        } catch {
          // Redis unreachable: leave the last values; /health reports the outage.
        }
      }),
    );
  }
}

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly queues: QueueDepthCollector) {}

  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  @Header('Cache-Control', 'no-store')
  async scrape(): Promise<string> {
    await this.queues.collect();
    return metricsRegistry.metrics();
  }
}

/** `GET /metrics` (Prometheus text format) in every app; `queues` are the BullMQ queues whose depth it reports. */
@Module({})
export class MetricsModule {
  static forRoot(queues: readonly string[]): DynamicModule {
    return {
      module: MetricsModule,
      imports: queues.map((name) => BullModule.registerQueue({ name })),
      controllers: [MetricsController],
      providers: [{ provide: WATCHED_QUEUES, useValue: [...queues] }, QueueDepthCollector],
    };
  }
}
