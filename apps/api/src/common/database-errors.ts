/** Postgres or network failures that mean "the database is unreachable right now", not a bug. */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);
const UNAVAILABLE_MESSAGES = /connection terminated|timeout exceeded when trying to connect|connection timeout|Connection terminated unexpectedly|the database system is (starting up|shutting down)/i;

function codeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isDatabaseUnavailable(err: unknown): boolean {
  const code = codeOf(err);
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  const errors = (err as { errors?: unknown[] } | null)?.errors; // AggregateError from a dual-stack connect
  if (Array.isArray(errors) && errors.some(isDatabaseUnavailable)) return true;
  return err instanceof Error && UNAVAILABLE_MESSAGES.test(err.message);
}

/**
 * Constraint violations that only a racing or odd request can cause (the services check first);
 * answered as client errors so a race never shows up as a 500.
 */
export function clientErrorForDatabaseError(err: unknown): { status: number; message: string } | null {
  switch (codeOf(err)) {
    case '23505':
      return { status: 409, message: 'Already exists' };
    case '23503':
      return { status: 404, message: 'Referenced resource not found' };
    case '23502': // not_null_violation
    case '23514': // check_violation
    case '22P02':
    case '22001':
    case '22003':
    case '22007':
    case '22008':
    case '22023':
    case '22021':
    case '22P05':
      return { status: 400, message: 'Invalid value in request' };
    default:
      return null;
  }
}
