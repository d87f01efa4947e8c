/** A fix-job failure with a message fit for the team; `retryable` says whether another attempt could help. */
export class FixJobError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'FixJobError';
  }
}
