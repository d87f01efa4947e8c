import { Injectable, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { LogCapture, LogLine } from '@epitrace/testing';
import type { AppConfigBase } from './app-config.module';
import { addLogIds, logIdsOfJob, withLogIds, withoutLogIds } from './log-context';
import { createLoggerModule } from './logger.module';

const MONITOR_A = '11111111-1111-4111-8111-111111111111';
const MONITOR_B = '22222222-2222-4222-8222-222222222222';
const INCIDENT = '33333333-3333-4333-8333-333333333333';

@Injectable()
class Worker {
  readonly logger = new Logger('Worker');
}

describe('log ids on every line (pino mixin over AsyncLocalStorage)', () => {
  let app: INestApplicationContext;
  let capture: LogCapture;
  let logger: Logger;

  beforeAll(async () => {
    capture = new LogCapture();
    const config = { APP_NAME: 'log-test', LOG_LEVEL: 'debug', LOG_PRETTY: false } as unknown as AppConfigBase;
    @Module({ imports: [createLoggerModule(config, capture)], providers: [Worker] })
    class TestModule {}
    app = await NestFactory.createApplicationContext(TestModule, { bufferLogs: true });
    app.useLogger(app.get(PinoNestLogger));
    logger = app.get(Worker).logger;
  });

  afterAll(() => app.close());

  const linesWith = (text: string): LogLine[] => capture.parsed().filter((l) => String(l.msg).includes(text));

  it('stamps the ids on lines logged after awaits and from timers started in the context', async () => {
    await withLogIds({ jobId: 'job-1', monitorId: MONITOR_A }, async () => {
      logger.log('first');
      await new Promise((r) => setTimeout(r, 5));
      logger.warn('after an await');
      await new Promise<void>((r) => setTimeout(() => (logger.debug('from a timer'), r()), 5));
    });
    for (const text of ['first', 'after an await', 'from a timer']) {
      expect(linesWith(text)).toEqual([expect.objectContaining({ jobId: 'job-1', monitorId: MONITOR_A })]);
    }
  });

  it('keeps concurrent jobs apart', async () => {
    const run = (monitorId: string, delays: number[]) =>
      withLogIds({ monitorId }, async () => {
        for (const [i, delay] of delays.entries()) {
          await new Promise((r) => setTimeout(r, delay));
          logger.log(`interleaved ${monitorId} step ${i}`);
        }
      });
    await Promise.all([run(MONITOR_A, [1, 8, 1, 8]), run(MONITOR_B, [4, 1, 8, 1])]);
    const lines = linesWith('interleaved');
    expect(lines).toHaveLength(8);
    for (const line of lines) expect(String(line.msg)).toContain(String(line['monitorId']));
  });

  it('adds ids learnt on the way; nested contexts add to the outer one; outside a context there are none', async () => {
    await withLogIds({ incidentId: INCIDENT }, async () => {
      logger.log('before the monitor is known');
      addLogIds({ monitorId: MONITOR_B });
      await Promise.resolve();
      logger.log('after the monitor is known');
      withLogIds({ fixJobId: 'fix-1' }, () => logger.log('nested'));
      withoutLogIds(() => logger.log('shared work'));
    });
    logger.log('no job at all');
    expect(linesWith('before the monitor')[0]).toMatchObject({ incidentId: INCIDENT });
    expect(linesWith('before the monitor')[0]).not.toHaveProperty('monitorId');
    expect(linesWith('after the monitor')[0]).toMatchObject({ incidentId: INCIDENT, monitorId: MONITOR_B });
    expect(linesWith('nested')[0]).toMatchObject({ incidentId: INCIDENT, monitorId: MONITOR_B, fixJobId: 'fix-1' });
    for (const text of ['shared work', 'no job at all']) {
      const [line] = linesWith(text);
      expect(line).not.toHaveProperty('incidentId');
      expect(line).not.toHaveProperty('monitorId');
    }
  });

  it("lets a line's own fields win over the context", () => {
    withLogIds({ monitorId: MONITOR_A }, () => logger.log({ monitorId: MONITOR_B }, 'explicit field'));
    const raw = capture.lines.find((l) => l.includes('explicit field')) ?? '';
    expect(JSON.parse(raw)).toMatchObject({ monitorId: MONITOR_B });
    expect(raw.match(/"monitorId"/g)).toHaveLength(1);
  });

  it('takes the ids of a queue job from its id and payload, ignoring anything that is not an id string', () => {
    expect(logIdsOfJob({ id: 'j-9', data: { incidentId: INCIDENT, monitorId: MONITOR_A, fixJobId: 42, other: 'x' } })).toEqual({ jobId: 'j-9', incidentId: INCIDENT, monitorId: MONITOR_A });
    expect(logIdsOfJob({ id: undefined, data: 'garbage' })).toEqual({});
  });
});
