export * from './lib/redact';
export * from './lib/secret-cipher';
