'use strict';
// The HTTP endpoint the benchmark's monitors check: /m/<n> answers 200, or 500 once /__flip has
// marked n as failing. Counts requests per path so the benchmark can tell if a check ran twice.
const http = require('node:http');

let failingBelow = -1;
let total = 0;
const perPath = new Map();

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/__flip')) {
    failingBelow = Number(new URL(req.url, 'http://x').searchParams.get('below'));
    return res.end('flipped');
  }
  if (req.url === '/__stats') {
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify({ total, perPath: Object.fromEntries(perPath) }));
  }
  total++;
  perPath.set(req.url, (perPath.get(req.url) ?? 0) + 1);
  const n = Number(req.url.split('/')[2]);
  res.statusCode = n < failingBelow ? 500 : 200;
  res.end(res.statusCode === 200 ? 'ok' : 'failing');
});
server.keepAliveTimeout = 10_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
