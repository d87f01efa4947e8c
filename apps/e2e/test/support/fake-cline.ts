import { randomBytes } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXED_PRICE_JS } from '@epitrace/testing';
import { WORKSPACE_ROOT } from './app-processes';

/** The stand-in for the `cline` CLI (tools/fakes/cline), whose behaviour FAKE_CLINE_* variables choose. */
export const FAKE_CLINE = join(WORKSPACE_ROOT, 'tools/fakes/cline');

/** The settings that make an agent spawn `bin` as its Cline, with a made-up model key. */
export function clineEnv(bin: string = FAKE_CLINE): Record<string, string> {
  return { CLINE_BIN: bin, CLINE_PROVIDER: 'anthropic', CLINE_API_KEY: `sk-ant-${randomBytes(16).toString('hex')}` };
}

/** The fake CLI's settings for a fix run that repairs the shop repository (SHOP_REPO_FILES). */
export const FIX_SHOP_SCENARIO = {
  FAKE_CLINE_SCENARIO: 'edit',
  FAKE_CLINE_EDIT_FILE: 'src/price.js',
  FAKE_CLINE_EDIT_CONTENT: FIXED_PRICE_JS,
  FAKE_CLINE_TEXT: 'Seed the order total with 0',
};

/**
 * Writes an executable `cline` for the built apps to spawn (their CLINE_BIN) and returns its
 * path. `decide` is JavaScript that runs first, with `fs` and `args` (the arguments the app
 * passed) in scope: it may note what it sees in files, and it sets `scenario` to the
 * FAKE_CLINE_* variables the fake CLI then runs with, or to null to hang like a stuck Cline.
 */
export async function writeClineWrapper(file: string, decide: string): Promise<string> {
  await writeFile(
    file,
    `#!/usr/bin/env node
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const args = process.argv.slice(2);
let scenario = {};
${decide}
if (scenario) {
  const run = spawnSync(process.execPath, [${JSON.stringify(FAKE_CLINE)}, ...args], { stdio: 'inherit', env: { ...process.env, ...scenario } });
  process.exit(run.status ?? 1);
} else {
  setInterval(() => undefined, 1000);
}
`,
  );
  await chmod(file, 0o755);
  return file;
}
