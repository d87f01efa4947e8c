// The fault suite (opt-in: `npx nx chaos e2e`, run by .ci/run after the tests). Each test breaks
// something on purpose (kill -9, Redis wiped, Postgres stopped) on PRIVATE Postgres/Redis servers,
// never the shared ones, and prints what it did and what it found.
module.exports = {
  displayName: 'chaos',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/chaos/**/*.spec.ts'],
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  maxWorkers: 1,
  testTimeout: 240_000,
};
