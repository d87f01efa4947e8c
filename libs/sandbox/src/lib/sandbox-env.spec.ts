import { z } from 'zod';
import { checkSandboxEnv, sandboxEnvShape } from './sandbox-env';

const schema = z.object(sandboxEnvShape).superRefine((env, ctx) => checkSandboxEnv(env, ctx));
const parse = (env: Record<string, string>) => schema.safeParse(env);
const messages = (env: Record<string, string>) => {
  const result = parse(env);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('sandbox settings', () => {
  it('defaults to no sandbox and one identity', () => {
    expect(parse({}).data).toEqual({ SANDBOX_MODE: 'none', SANDBOX_ID_COUNT: 1 });
  });

  it('needs a uid and gid in "user" mode', () => {
    expect(messages({ SANDBOX_MODE: 'user' })).toEqual(['SANDBOX_UID: SANDBOX_UID and SANDBOX_GID are required when SANDBOX_MODE=user']);
  });

  it('accepts a range of consecutive uid/gid pairs below nobody', () => {
    expect(parse({ SANDBOX_MODE: 'user', SANDBOX_UID: '10001', SANDBOX_GID: '20001', SANDBOX_ID_COUNT: '4' }).data).toMatchObject({ SANDBOX_UID: 10001, SANDBOX_GID: 20001, SANDBOX_ID_COUNT: 4 });
    expect(parse({ SANDBOX_MODE: 'user', SANDBOX_UID: '65530', SANDBOX_GID: '65530', SANDBOX_ID_COUNT: '4' }).success).toBe(true);
  });

  it('refuses nobody even as a single id (processes running as the sandbox ids are killed between jobs); ignores the ids in other modes', () => {
    expect(messages({ SANDBOX_MODE: 'user', SANDBOX_UID: '65534', SANDBOX_GID: '10001' })).toEqual([
      'SANDBOX_UID: SANDBOX_UID=65534 with SANDBOX_ID_COUNT=1 covers 65534..65534, which includes 65534 (nobody, which other services use: EpiTrace kills every process running as its sandbox ids between jobs): give EpiTrace ids of its own, ending at 65533 at most or starting above 65535',
    ]);
    expect(parse({ SANDBOX_MODE: 'none', SANDBOX_UID: '65534', SANDBOX_GID: '65534' }).success).toBe(true);
  });

  it('refuses a range that covers nobody, and a count below one', () => {
    expect(messages({ SANDBOX_MODE: 'user', SANDBOX_UID: '65531', SANDBOX_GID: '10001', SANDBOX_ID_COUNT: '4' })).toEqual([
      'SANDBOX_UID: SANDBOX_UID=65531 with SANDBOX_ID_COUNT=4 covers 65531..65534, which includes 65534 (nobody, which other services use: EpiTrace kills every process running as its sandbox ids between jobs): give EpiTrace ids of its own, ending at 65533 at most or starting above 65535',
    ]);
    expect(messages({ SANDBOX_MODE: 'user', SANDBOX_UID: '10001', SANDBOX_GID: '65534', SANDBOX_ID_COUNT: '2' })[0]).toMatch(/^SANDBOX_GID: .*nobody/);
    expect(parse({ SANDBOX_ID_COUNT: '0' }).success).toBe(false);
  });
});
