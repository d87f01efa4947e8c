import { Client } from 'pg';
import Redis from 'ioredis';
import { startPrivatePostgres, startPrivateRedis } from './private-services';

describe('private services for fault tests', () => {
  it('a private Redis can be wiped by restarting it empty', async () => {
    const redis = await startPrivateRedis();
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    client.on('error', () => undefined);
    try {
      await client.set('k', 'v');
      await redis.restartEmpty();
      expect(await client.get('k')).toBeNull();
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });

  it('a private Postgres can be stopped and started again', async () => {
    const pg = await startPrivatePostgres();
    try {
      const query = async () => {
        const client = new Client({ connectionString: pg.adminUrl, connectionTimeoutMillis: 2000 });
        await client.connect();
        try {
          return (await client.query('SELECT 1 AS one')).rows[0].one;
        } finally {
          await client.end();
        }
      };
      expect(await query()).toBe(1);
      await pg.stop();
      await expect(query()).rejects.toThrow();
      await pg.start();
      expect(await query()).toBe(1);
    } finally {
      await pg.destroy();
    }
  });
});
