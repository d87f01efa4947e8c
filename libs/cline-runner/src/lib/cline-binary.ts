import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where the `cline` CLI lives: `CLINE_BIN`, else the pinned package's native binary, else `cline`
 * on PATH. The native `bin/.cline` is preferred over the `bin/cline` Node wrapper because the
 * wrapper does not forward signals: killing it would leave the agent running.
 */
export function resolveClineBinary(env: NodeJS.ProcessEnv = process.env, searchFrom: string = process.cwd()): string {
  if (env['CLINE_BIN']) return env['CLINE_BIN'];
  const packaged = findPackagedBinary(searchFrom);
  return packaged ?? 'cline';
}

function findPackagedBinary(searchFrom: string): string | undefined {
  try {
    const pkg = require.resolve('cline/package.json', { paths: [searchFrom, __dirname] });
    const candidate = join(dirname(pkg), 'bin', '.cline');
    if (existsSync(candidate)) return candidate;
  } catch {
    // not installed next to this process: fall back to walking up from the working directory
  }
  let dir = searchFrom;
  for (;;) {
    const candidate = join(dir, 'node_modules', 'cline', 'bin', '.cline');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
