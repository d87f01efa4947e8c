import { Logger } from '@nestjs/common';
import { CodeWorkerLogEntryInput } from '@epitrace/queue-contracts';
import { IngestRejectedError, JobLog } from './job-log';

const quietLogger = () => Object.assign(new Logger('test'), { log: () => undefined, debug: () => undefined, warn: () => undefined, error: () => undefined }) as unknown as Logger;

describe('JobLog', () => {
  it('redacts the job secret and credential-shaped text, and tags every line with the job and its step', async () => {
    const sent: CodeWorkerLogEntryInput[][] = [];
    const log = new JobLog('job-1', 'https://github.com/acme/shop', async (batch) => void sent.push(batch), 10, 10_000, quietLogger());
    log.addSecret('s3cr3t-token-value');
    log.stage = 'cloning';
    log.info('using s3cr3t-token-value and ghp_abcdefghijklmnopqrstuvwxyz0123 for https://x:y@host/r', 'git');
    await log.close();
    expect(sent).toHaveLength(1);
    expect(sent[0][0]).toMatchObject({ jobId: 'job-1', stage: 'cloning', category: 'git', level: 'info', repo: 'https://github.com/acme/shop' });
    expect(sent[0][0].message).not.toMatch(/s3cr3t|ghp_|x:y@/);
  });

  it('sends in batches of the configured size and in order', async () => {
    const sent: string[][] = [];
    const log = new JobLog('job-2', undefined, async (batch) => void sent.push(batch.map((e) => e.message)), 2, 10_000, quietLogger());
    for (const n of [1, 2, 3, 4, 5]) log.info(`line ${n}`);
    await log.close();
    expect(sent.flat()).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    expect(Math.max(...sent.map((b) => b.length))).toBe(2);
  });

  it('keeps each request under the ingest body limit however long the lines are', async () => {
    const sizes: number[] = [];
    const lines: string[] = [];
    const log = new JobLog('job-5', undefined, async (batch) => {
      sizes.push(Buffer.byteLength(JSON.stringify(batch)));
      lines.push(...batch.map((e) => e.message));
    }, 50, 10_000, quietLogger());
    for (let n = 0; n < 50; n++) log.info(`${n}:${'x'.repeat(7_990)}`);
    await log.close();
    expect(lines.map((l) => l.split(':')[0])).toEqual(Array.from({ length: 50 }, (_, n) => String(n)));
    expect(sizes.length).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThan(256 * 1024);
  });

  it('keeps lines while the ingest is unreachable and sends them, in order, once it answers', async () => {
    let up = false;
    const sent: string[] = [];
    const log = new JobLog('job-3', undefined, async (batch) => {
      if (!up) throw new Error('ECONNREFUSED');
      sent.push(...batch.map((e) => e.message));
    }, 50, 10_000, quietLogger());
    log.info('first');
    await log.flush();
    expect(sent).toEqual([]);
    up = true;
    log.info('second');
    await log.close();
    expect(sent).toEqual(['first', 'second']);
  });

  it('drops a batch the ingest refuses and says so in the next one instead of retrying forever', async () => {
    let calls = 0;
    const sent: string[] = [];
    const log = new JobLog('job-4', undefined, async (batch) => {
      calls++;
      if (calls === 1) throw new IngestRejectedError('HTTP 422');
      sent.push(...batch.map((e) => e.message));
    }, 1, 10_000, quietLogger());
    log.info('refused line');
    await log.flush();
    log.info('next line');
    await log.close();
    expect(sent[0]).toMatch(/1 log lines were dropped/);
    expect(sent).toContain('next line');
    expect(sent).not.toContain('refused line');
  });
});
