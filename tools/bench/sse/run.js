'use strict';
/**
 * SSE log-stream benchmark: the REAL built api (dist/apps/api/main.js) against the real Postgres
 * and Redis, in a database and queue prefix of its own. N stream clients follow one fix job
 * while M lines/s are ingested through POST /logs/code-worker; prints delivery latency
 * (ingest request sent → line parsed by a client) p50/p90/p99/max, delivery completeness and
 * the api's RSS and CPU.
 *
 *   npx nx build api && npm run bench:sse -- --clients 1000 --rate 200 --duration 20
 *   flags: --clients N --rate M --duration s --batch lines-per-request --client-procs k --coalesce-ms ms
 */
const { fork, spawn } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const { randomBytes, randomUUID } = require('node:crypto');

const ROOT = path.resolve(__dirname, '../../..');
const API_MAIN = path.join(ROOT, 'dist/apps/api/main.js');
const MARK = '"message":"bench ';
const MAX_LATENCY_MS = 120_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

// ---- client process: opens its share of streams and reports latencies ---------------------------
if (process.argv[2] === '--client') {
  runClients().catch((err) => {
    process.send({ type: 'error', message: String(err && err.stack) });
    process.exit(1);
  });
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

async function runClients() {
  const { url, token, count } = JSON.parse(process.argv[3]);
  // A histogram (index = latency in ms), so reporting 2 million deliveries is a small message.
  const latencies = new Array(MAX_LATENCY_MS + 1).fill(0);
  let connected = 0;
  let received = 0;
  let closedEarly = 0;
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const open = () =>
    new Promise((resolve, reject) => {
      const req = http.get(url, { agent, headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream answered ${res.statusCode}`));
        res.setEncoding('utf8');
        let tail = '';
        res.on('data', (chunk) => {
          const now = Date.now();
          const text = tail + chunk;
          // Only complete events are parsed; the unfinished one waits for the next chunk.
          const complete = text.lastIndexOf('\n\n') + 2;
          tail = text.slice(complete);
          let at = 0;
          for (;;) {
            const i = text.indexOf(MARK, at);
            if (i < 0 || i >= complete) break;
            const end = text.indexOf('"', i + MARK.length);
            const sentAt = Number(text.slice(text.indexOf(' ', i + MARK.length) + 1, end));
            latencies[Math.max(0, Math.min(MAX_LATENCY_MS, now - sentAt))]++;
            received++;
            at = end;
          }
        });
        res.on('close', () => closedEarly++);
        connected++;
        resolve();
      });
      req.on('error', reject);
    });
  for (let i = 0; i < count; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, count - i) }, open));
  }
  process.send({ type: 'connected', connected });
  process.on('message', (msg) => {
    if (msg === 'report') {
      process.send({ type: 'report', latencies, received, closedEarly });
      setTimeout(() => process.exit(0), 100);
    }
  });
}

// ---- coordinator ------------------------------------------------------------------------------
function parseArgs(argv) {
  const opts = { clients: 1000, rate: 200, duration: 20, batch: 1, clientProcs: 2, coalesceMs: 20 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in opts)) throw new Error(`unknown flag ${argv[i]} (known: ${Object.keys(opts).join(', ')})`);
    opts[key] = Number(argv[i + 1]);
  }
  return opts;
}

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

function sampleProcess(pid) {
  try {
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { rssMb: rssKb / 1024, cpuSec: (Number(stat[11]) + Number(stat[12])) / 100 };
  } catch {
    return { rssMb: NaN, cpuSec: NaN };
  }
}

async function json(method, url, body, headers = {}) {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: body && JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(API_MAIN)) throw new Error(`${API_MAIN} is missing: run \`npx nx build api\` first`);
  const { Client } = require('pg');
  const Redis = require('ioredis');
  const adminUrl = process.env.BENCH_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
  const dbName = `epitrace_bench_sse_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
  const prefix = `bench-sse-${randomBytes(3).toString('hex')}`;
  const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);

  const port = await freePort();
  const ingestSecret = randomBytes(32).toString('base64');
  const api = spawn(process.execPath, [API_MAIN], {
    cwd: ROOT,
    // BENCH_API_LOG=<file> keeps the api's own log for a look afterwards.
    stdio: ['ignore', process.env.BENCH_API_LOG ? require('node:fs').openSync(process.env.BENCH_API_LOG, 'w') : 'ignore', 'pipe'],
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.BENCH_API_LOG ? 'info' : 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: dbUrl,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      JWT_SECRET: randomBytes(48).toString('base64'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      INGEST_SECRET: ingestSecret,
      FIX_LINK_SECRET: randomBytes(48).toString('base64'),
      LOG_STREAM_COALESCE_MS: String(opts.coalesceMs),
    },
  });
  let apiErr = '';
  api.stderr.on('data', (d) => (apiErr = (apiErr + d).slice(-4000)));
  const children = [];
  let reportsRequested = false;
  let cleaning;
  const cleanup = () => (cleaning ??= doCleanup());
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => cleanup().finally(() => process.exit(130)));
  const doCleanup = async () => {
    for (const c of children) c.kill('SIGKILL');
    api.kill('SIGTERM');
    await new Promise((r) => (api.exitCode !== null ? r() : api.once('exit', r)));
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    const redis = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  };

  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if (api.exitCode !== null) throw new Error(`api exited: ${apiErr}`);
      const ok = await fetch(`${base}/health`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (i > 240) throw new Error('api did not become healthy');
      await sleep(250);
    }

    const password = 'correct horse battery staple';
    const reg = await json('POST', `${base}/auth/register`, { email: `bench-${randomBytes(3).toString('hex')}@example.com`, password, rePassword: password });
    if (reg.status !== 201) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
    const userId = reg.body.user.id;
    const db = new Client({ connectionString: dbUrl });
    await db.connect();
    const [monitorId, incidentId, jobId] = [randomUUID(), randomUUID(), randomUUID()];
    await db.query(`INSERT INTO monitors (id, user_id, name, url, method, is_active, check_interval, timeout) VALUES ($1, $2, 'bench', 'https://example.com', 'GET', false, 60, 10)`, [monitorId, userId]);
    await db.query(`INSERT INTO incidents (id, monitor_id, user_id, state, opened_at) VALUES ($1, $2, $3, 'open', now())`, [incidentId, monitorId, userId]);
    await db.query(`INSERT INTO fix_jobs (id, incident_id, monitor_id, user_id, status) VALUES ($1, $2, $3, $4, 'fixing')`, [jobId, incidentId, monitorId, userId]);
    await db.end();

    // Clients in their own processes, so parsing 200k events/s does not compete with the timer that paces ingest.
    const procs = Math.max(1, Math.min(opts.clientProcs, opts.clients));
    const per = Math.ceil(opts.clients / procs);
    const streamUrl = `${base}/logs/code-worker/stream?jobId=${jobId}`;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: procs }, (_, k) => {
        const count = Math.min(per, opts.clients - k * per);
        const child = fork(__filename, ['--client', JSON.stringify({ url: streamUrl, token: reg.body.token, count })], { stdio: 'inherit' });
        children.push(child);
        return new Promise((resolve, reject) => {
          child.on('message', (m) => (m.type === 'connected' ? resolve() : m.type === 'error' ? reject(new Error(m.message)) : undefined));
          child.once('exit', (code, signal) => {
            if (!reportsRequested) console.error(`client process ${k} exited early (${code ?? signal})`);
            reject(new Error(`client process exited ${code ?? signal}`));
          });
        });
      }),
    );
    console.log(`${opts.clients} streams connected in ${Date.now() - started} ms`);
    const before = sampleProcess(api.pid);
    await sleep(1000);

    // Pace ingest: every tick sends what is due, one request per `batch` lines, never waiting for answers.
    const totalLines = Math.round(opts.rate * opts.duration);
    let sent = 0;
    let failed = 0;
    let maxRss = 0;
    const inflight = new Set();
    let lastProgress = Date.now();
    const t0 = Date.now();
    const headers = { 'content-type': 'application/json', 'x-ingest-secret': ingestSecret };
    // Keep-alive connections, capped so a backlog of requests does not turn into a SYN flood of new sockets.
    const { Agent } = require('undici');
    const dispatcher = new Agent({ connections: 256, keepAliveTimeout: 30_000 });
    while (sent < totalLines) {
      const due = Math.min(totalLines, Math.floor(((Date.now() - t0) / 1000) * opts.rate));
      while (sent + opts.batch <= due || (due === totalLines && sent < totalLines)) {
        const n = Math.min(opts.batch, totalLines - sent);
        const now = Date.now();
        const lines = Array.from({ length: n }, (_, i) => ({ message: `bench ${sent + i} ${now}`, stage: 'fixing', category: 'bench', jobId }));
        sent += n;
        const p = fetch(`${base}/logs/code-worker`, { method: 'POST', headers, dispatcher, body: JSON.stringify(n === 1 ? lines[0] : lines) })
          .then((r) => (r.status === 202 ? undefined : failed++), () => failed++)
          .finally(() => inflight.delete(p));
        inflight.add(p);
      }
      maxRss = Math.max(maxRss, sampleProcess(api.pid).rssMb);
      if (Date.now() - lastProgress >= 5000) {
        lastProgress = Date.now();
        console.log(`  … ${sent}/${totalLines} lines sent, ${inflight.size} requests in flight, api RSS ${fmt(sampleProcess(api.pid).rssMb)} MB`);
      }
      await sleep(5);
    }
    const deadline = Date.now() + 120_000;
    while (inflight.size && Date.now() < deadline) await sleep(50);
    if (inflight.size) throw new Error(`${inflight.size} ingest requests still unanswered 2 minutes after the last was sent`);
    const ingestSeconds = (Date.now() - t0) / 1000;
    await sleep(2000);
    const after = sampleProcess(api.pid);
    maxRss = Math.max(maxRss, after.rssMb);

    reportsRequested = true;
    const reports = await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            child.on('message', (m) => m.type === 'report' && resolve(m));
            child.send('report');
          }),
      ),
    );
    const histogram = new Array(MAX_LATENCY_MS + 1).fill(0);
    for (const r of reports) r.latencies.forEach((count, ms) => (histogram[ms] += count));
    const total = histogram.reduce((a, b) => a + b, 0);
    const quantile = (q) => {
      let seen = 0;
      for (let ms = 0; ms < histogram.length; ms++) if ((seen += histogram[ms]) > q * (total - 1)) return ms;
      return NaN;
    };
    const maxLatency = histogram.findLastIndex((c) => c > 0);
    const received = reports.reduce((s, r) => s + r.received, 0);
    const dropped = reports.reduce((s, r) => s + r.closedEarly, 0);
    const expected = totalLines * opts.clients;

    console.log('');
    console.log(`SSE benchmark: ${opts.clients} clients on one job, ${opts.rate} lines/s for ${opts.duration} s (batch ${opts.batch}, coalesce ${opts.coalesceMs} ms)`);
    console.log(`  ingested       ${totalLines - failed}/${totalLines} lines in ${fmt(ingestSeconds)} s (${failed} failed requests)`);
    console.log(`  delivered      ${received}/${expected} line deliveries (${fmt((100 * received) / expected, 2)} %), ${dropped} streams dropped`);
    console.log(`  latency ms     p50 ${quantile(0.5)}  p90 ${quantile(0.9)}  p99 ${quantile(0.99)}  max ${maxLatency}`);
    console.log(`  api RSS MB     ${fmt(before.rssMb)} with streams open → ${fmt(after.rssMb)} after (max ${fmt(maxRss)})`);
    console.log(`  api CPU        ${fmt(after.cpuSec - before.cpuSec)} s over ${fmt(ingestSeconds + 3)} s`);
  } finally {
    await cleanup();
  }
}
