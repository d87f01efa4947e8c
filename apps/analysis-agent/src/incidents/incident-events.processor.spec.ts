import { Logger as NestLogger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Logger } from 'nestjs-pino';
import { Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import { createLoggerModule } from '@epitrace/nest-common';
import { JOBS, buildPayload } from '@epitrace/queue-contracts';
import { loadAnalysisAgentConfig } from '../config/analysis-agent.config';
import { IncidentEventsProcessor } from './incident-events.processor';
import type { IncidentEventsService } from './incident-events.service';

describe('incident event processor logging', () => {
  it('puts the job, incident and monitor ids on its log line as fields', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const config = loadAnalysisAgentConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info', LOG_PRETTY: 'false', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x', REDIS_URL: 'redis://127.0.0.1:6379' });
    const moduleRef = await Test.createTestingModule({ imports: [createLoggerModule(config, sink)] }).compile();
    NestLogger.overrideLogger(moduleRef.get(Logger));
    try {
      const events = { monitorDown: async () => 'alerted' } as unknown as IncidentEventsService;
      const processor = new IncidentEventsProcessor(events, config);
      const data = buildPayload(JOBS.MONITOR_DOWN, { incidentId: randomUUID(), monitorId: randomUUID() });
      await processor.process({ id: 'monitor-down-1', name: JOBS.MONITOR_DOWN, data } as Job);
      expect(lines).toContainEqual(expect.objectContaining({ jobId: 'monitor-down-1', incidentId: data.incidentId, monitorId: data.monitorId, result: 'alerted' }));
    } finally {
      NestLogger.overrideLogger(['error']);
      await moduleRef.close();
    }
  });
});
