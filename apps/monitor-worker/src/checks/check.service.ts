import { Injectable, Logger } from '@nestjs/common';
import { checkDurationSeconds, checksTotal } from '@epitrace/metrics';
import { CheckRecorder } from './check-recorder.service';
import { CheckTargetLoader } from './check-target.loader';
import { HttpChecker } from './http-checker';

export type CheckRunResult = 'checked' | 'skipped';

/** Runs one scheduled check of one monitor and hands its result to the batch writer. */
@Injectable()
export class CheckService {
  private readonly logger = new Logger(CheckService.name);

  constructor(
    private readonly targets: CheckTargetLoader,
    private readonly checker: HttpChecker,
    private readonly recorder: CheckRecorder,
  ) {}

  /** `scheduledAt`: when this run was meant to start (identifies the run; see CheckRecord). */
  async run(monitorId: string, scheduledAt: Date): Promise<CheckRunResult> {
    const target = await this.targets.load(monitorId);
    // Paused or deleted since the job was scheduled: the reconciler removes the leftover schedule.
    if (!target) return 'skipped';
    const checkedAt = new Date();
    const outcome = await this.checker.check(target);
    const result = outcome.status === 'UP' ? 'up' : 'down';
    checksTotal.inc({ result });
    checkDurationSeconds.observe({ result }, (Date.now() - checkedAt.getTime()) / 1000);
    if (outcome.status === 'DOWN') this.logger.debug(`check of monitor ${monitorId} failed: ${outcome.errorMessage}`);
    await this.recorder.record({ ...outcome, monitorId, checkedAt, scheduledAt });
    return 'checked';
  }
}
