import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** How a repository's tests are run: optional setup steps, then the test command itself (argv, no shell). */
export interface TestCommand {
  /** What people would type, for logs and the PR body. */
  display: string;
  argv: string[];
  setup: string[][];
}

const NPM_DEFAULT_TEST = /no test specified/;

function readJson(path: string): Record<string, unknown> | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function fileContains(path: string, pattern: RegExp): boolean {
  try {
    return pattern.test(readFileSync(path, 'utf8'));
  } catch {
    return false;
  }
}

function hasPythonTests(dir: string): boolean {
  if (existsSync(join(dir, 'pytest.ini')) || existsSync(join(dir, 'conftest.py'))) return true;
  if (fileContains(join(dir, 'pyproject.toml'), /\[tool\.pytest/)) return true;
  if (fileContains(join(dir, 'setup.cfg'), /\[tool:pytest\]/)) return true;
  if (fileContains(join(dir, 'tox.ini'), /\[pytest\]/)) return true;
  for (const folder of ['tests', 'test']) {
    try {
      if (readdirSync(join(dir, folder)).some((f) => /^test_.*\.py$|_test\.py$/.test(f))) return true;
    } catch {
      /* no such folder */
    }
  }
  return false;
}

function nodeInstall(dir: string, pkg: Record<string, unknown>): string[][] {
  const deps = { ...(pkg['dependencies'] as object), ...(pkg['devDependencies'] as object) };
  if (!Object.keys(deps).length || existsSync(join(dir, 'node_modules'))) return [];
  if (existsSync(join(dir, 'pnpm-lock.yaml'))) return [['pnpm', 'install', '--frozen-lockfile']];
  if (existsSync(join(dir, 'yarn.lock'))) return [['yarn', 'install', '--frozen-lockfile']];
  if (existsSync(join(dir, 'package-lock.json'))) return [['npm', 'ci', '--no-audit', '--no-fund']];
  return [['npm', 'install', '--no-audit', '--no-fund']];
}

/**
 * Finds how the repository runs its tests, in the order people expect: a package.json `test`
 * script, pytest, `go test`, `cargo test`, a Makefile `test` target. Null when there is none.
 */
export function detectTestCommand(dir: string): TestCommand | null {
  const pkg = readJson(join(dir, 'package.json'));
  const script = (pkg?.['scripts'] as Record<string, unknown> | undefined)?.['test'];
  if (pkg && typeof script === 'string' && script.trim() && !NPM_DEFAULT_TEST.test(script)) {
    const runner = existsSync(join(dir, 'pnpm-lock.yaml')) ? 'pnpm' : existsSync(join(dir, 'yarn.lock')) ? 'yarn' : 'npm';
    return { display: `${runner} test`, argv: [runner, 'test'], setup: nodeInstall(dir, pkg) };
  }
  if (hasPythonTests(dir)) return { display: 'python3 -m pytest -q', argv: ['python3', '-m', 'pytest', '-q'], setup: [] };
  if (existsSync(join(dir, 'go.mod'))) return { display: 'go test ./...', argv: ['go', 'test', './...'], setup: [] };
  if (existsSync(join(dir, 'Cargo.toml'))) return { display: 'cargo test', argv: ['cargo', 'test'], setup: [] };
  for (const makefile of ['Makefile', 'makefile', 'GNUmakefile']) {
    if (fileContains(join(dir, makefile), /^test\s*:/m)) return { display: 'make test', argv: ['make', 'test'], setup: [] };
  }
  return null;
}
