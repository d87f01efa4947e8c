#!/usr/bin/env node
// `npm test`: every project's Jest suite through Nx (real Postgres and Redis), then one
// closing line with the totals of the whole workspace.
const { spawnSync } = require('node:child_process');
const { readdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '../..');
const resultsDir = join(root, 'tmp/test-results');
rmSync(resultsDir, { recursive: true, force: true });

const extra = process.argv.slice(2);
const run = spawnSync('npx', ['nx', 'run-many', '-t', 'test', '--output-style=static', '--parallel=2', ...extra], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' },
});

let passed = 0;
let failed = 0;
let skipped = 0;
let brokenSuites = 0;
let files = [];
try {
  files = readdirSync(resultsDir);
} catch {
  // no project reported: counted below as a failure
}
for (const file of files) {
  const r = JSON.parse(readFileSync(join(resultsDir, file), 'utf8'));
  passed += r.passed;
  failed += r.failed;
  skipped += r.skipped;
  brokenSuites += r.runtimeErrors;
}
if (brokenSuites) console.log(`${brokenSuites} test file(s) failed to run`);
console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
const ok = run.status === 0 && failed === 0 && brokenSuites === 0 && passed > 0;
process.exit(ok ? 0 : run.status || 1);
