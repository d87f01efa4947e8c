export * from './lib/net';
export * from './lib/test-database';
export * from './lib/test-redis';
export * from './lib/fakes/fake-github-api';
export * from './lib/fakes/git-http-server';
export * from './lib/private-services';
export * from './lib/fakes/fake-openai-server';
export * from './lib/fakes/fake-chat-webhooks';
