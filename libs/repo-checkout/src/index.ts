export * from './lib/git-environment';
export * from './lib/repo-checkout';
export * from './lib/repo-url';
