import nx from '@nx/eslint-plugin';

/**
 * Module boundaries are the architecture: apps never import apps, libs expose only their
 * src/index.ts, and the agent-only libs (Cline runner, repository checkout) stay out of the
 * api and the monitor-worker.
 */
export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/tmp', '**/.nx', '**/coverage', 'apps/api/src/dashboard/static/**'] },
  {
    files: ['**/*.ts', '**/*.js'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data', 'type:util', 'type:test-util'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:data', 'type:util', 'type:test-util'] },
            { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:data', 'type:util', 'type:test-util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:test-util', onlyDependOnLibsWithTags: ['type:data', 'type:util'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:agents', onlyDependOnLibsWithTags: ['scope:shared', 'scope:agents'] },
            { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['scope:shared', 'scope:api'] },
            { sourceTag: 'scope:monitor', onlyDependOnLibsWithTags: ['scope:shared', 'scope:monitor'] },
            { sourceTag: 'scope:analysis', onlyDependOnLibsWithTags: ['scope:shared', 'scope:agents', 'scope:analysis'] },
            { sourceTag: 'scope:code', onlyDependOnLibsWithTags: ['scope:shared', 'scope:agents', 'scope:code'] },
            { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:shared', 'scope:agents'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Build configuration shares workspace tooling (tools/webpack); boundaries govern application code.
    files: ['**/webpack.config.js'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
