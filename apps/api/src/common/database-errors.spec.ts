import { clientErrorForDatabaseError, isDatabaseUnavailable } from './database-errors';

function driverError(code: string, message = 'db error') {
  return Object.assign(new Error(message), { driverError: Object.assign(new Error(message), { code }) });
}

describe('isDatabaseUnavailable', () => {
  it('recognises refused and reset connections, pool timeouts and Postgres shutdown codes', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(driverError('57P01'))).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]))).toBe(true);
  });

  it('does not mistake bugs or constraint violations for an outage', () => {
    expect(isDatabaseUnavailable(new TypeError('cannot read properties of undefined'))).toBe(false);
    expect(isDatabaseUnavailable(driverError('23505'))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});

describe('clientErrorForDatabaseError', () => {
  it('turns races and odd values into client errors rather than 500s', () => {
    expect(clientErrorForDatabaseError(driverError('23505'))).toEqual({ status: 409, message: 'Already exists' });
    expect(clientErrorForDatabaseError(driverError('23503'))?.status).toBe(404);
    expect(clientErrorForDatabaseError(driverError('22P02'))?.status).toBe(400);
    expect(clientErrorForDatabaseError(driverError('23502'))?.status).toBe(400);
  });

  it('leaves other errors alone', () => {
    expect(clientErrorForDatabaseError(driverError('42P01'))).toBeNull();
    expect(clientErrorForDatabaseError(new Error('boom'))).toBeNull();
  });
});
