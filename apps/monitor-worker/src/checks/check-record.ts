import type { CheckOutcome } from './check-target';

/** A finished check, waiting in the batch for its row. */
export interface CheckRecord extends CheckOutcome {
  monitorId: string;
  /** When the check started. */
  checkedAt: Date;
  /** When the run was meant to start: unique per monitor, so a re-run cannot add a second row. */
  scheduledAt: Date;
}
