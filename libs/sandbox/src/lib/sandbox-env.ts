import { z } from 'zod';
import { envInt } from '@epitrace/config';
import { SANDBOX_MODES } from './sandbox';

/** `nobody` on most systems: other services run as it, and the pool kills whatever runs as its ids. */
export const NOBODY_ID = 65534;
/** 65535 is (uint16)-1, "no id" to some tools. */
const NO_ID_16 = 65535;
/** (uint32)-1: setuid(-1) means "leave unchanged". */
const NO_ID_32 = 4_294_967_295;

/**
 * The sandbox settings both agents share. In `user` mode SANDBOX_UID/SANDBOX_GID are the first of
 * SANDBOX_ID_COUNT consecutive uid/gid pairs this process gives its jobs, one job per pair.
 */
export const sandboxEnvShape = {
  /** How untrusted code (Cline and its commands, the repository's tests) runs: none | user | bwrap. */
  SANDBOX_MODE: z.enum(SANDBOX_MODES).default('none'),
  SANDBOX_UID: z.coerce.number().int().min(1).optional(),
  SANDBOX_GID: z.coerce.number().int().min(1).optional(),
  /** How many consecutive uid/gid pairs from SANDBOX_UID/SANDBOX_GID on this process may use. */
  SANDBOX_ID_COUNT: envInt(1, 1, 1_000),
};

export interface SandboxEnv {
  SANDBOX_MODE: (typeof SANDBOX_MODES)[number];
  SANDBOX_UID?: number;
  SANDBOX_GID?: number;
  SANDBOX_ID_COUNT: number;
}

/**
 * For a schema's superRefine. The ids must be EpiTrace's alone: between jobs the pool kills every
 * process running as one of its uids, so `nobody` (which other services use) and the ids that mean
 * "none" are refused. That the two agents on one host use disjoint ranges cannot be checked from
 * one process: it is documented instead.
 */
export function checkSandboxEnv(env: SandboxEnv, ctx: z.RefinementCtx): void {
  if (env.SANDBOX_MODE !== 'user') return;
  if (env.SANDBOX_UID === undefined || env.SANDBOX_GID === undefined) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['SANDBOX_UID'], message: 'SANDBOX_UID and SANDBOX_GID are required when SANDBOX_MODE=user' });
  }
  for (const key of ['SANDBOX_UID', 'SANDBOX_GID'] as const) {
    const first = env[key];
    if (first === undefined) continue;
    const last = first + env.SANDBOX_ID_COUNT - 1;
    const forbidden = [NOBODY_ID, NO_ID_16, NO_ID_32];
    const hit = forbidden.find((id) => first <= id && id <= last);
    if (hit === undefined && last < NO_ID_32) continue;
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      path: [key],
      message: `${key}=${first} with SANDBOX_ID_COUNT=${env.SANDBOX_ID_COUNT} covers ${first}..${last}, which includes ${hit ?? NO_ID_32} (${hit === NOBODY_ID ? 'nobody, which other services use: EpiTrace kills every process running as its sandbox ids between jobs' : 'not a usable id'}): give EpiTrace ids of its own, ending at ${NOBODY_ID - 1} at most or starting above ${NO_ID_16}`,
    });
  }
}
