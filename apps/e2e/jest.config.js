// System tests: spawn the real built apps (dist/apps/*) against the real Postgres and Redis,
// with local fakes for the LLM, GitHub, Slack and Discord. Serial: each test runs four processes.
module.exports = {
  displayName: 'e2e',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  maxWorkers: 1,
  testTimeout: 180_000,
};
