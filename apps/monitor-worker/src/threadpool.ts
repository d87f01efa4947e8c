// Imported first by main.ts: libuv reads this when its pool first starts. DNS lookups
// (getaddrinfo) run on that pool, and its default of 4 threads throttles thousands of checks.
process.env['UV_THREADPOOL_SIZE'] ??= '16';
