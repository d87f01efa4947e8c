// Shared Jest settings for every project. ts-jest compiles TypeScript with the project's
// tsconfig.spec.json; path aliases come from tsconfig.base.json so tests import libs
// exactly as the apps do.
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

module.exports = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/../../' }),
  // @octokit/* and its helpers ship only ES modules; Jest's CommonJS runtime needs them compiled.
  transformIgnorePatterns: [
    'node_modules/(?!(@octokit|universal-user-agent|before-after-hook|fast-content-type-parse|content-type|json-with-bigint)/)',
  ],
  testTimeout: 60_000,
  passWithNoTests: true,
  reporters: ['default', require.resolve('./tools/jest/summary-reporter.js')],
};
