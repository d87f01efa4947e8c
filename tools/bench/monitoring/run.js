'use strict';
/**
 * Monitoring benchmark: a local target server, the REAL built monitor-worker process(es)
 * (dist/apps/monitor-worker/main.js) against the real Postgres and Redis, in a database and
 * queue prefix of its own. Prints throughput, schedule lag, check→row latency, DOWN detection
 * latency and per-process RSS/CPU.
 *
 *   npx nx build monitor-worker && npm run bench:monitoring -- --monitors 5000 --interval 5 --duration 120 --workers 2
 *
 * BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the workers.
 */
const { fork, spawn } = require('node:child_process');
const { readFileSync, existsSync } = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');
const Redis = require('ioredis');

const ROOT = path.resolve(__dirname, '../../..');
const WORKER_MAIN = path.join(ROOT, 'dist/apps/monitor-worker/main.js');

function parseArgs(argv) {
  const opts = { monitors: 5000, interval: 5, duration: 120, workers: 2, flip: 50, failureThreshold: 3, concurrency: 1000 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in opts)) throw new Error(`unknown flag ${argv[i]} (known: ${Object.keys(opts).join(', ')})`);
    opts[key] = Number(argv[i + 1]);
  }
  return opts;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

/** RSS (MB) and cumulative CPU seconds of a process, from /proc. */
function sampleProcess(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ticks = Number(stat[11]) + Number(stat[12]);
    return { rssMb: rssKb / 1024, cpuSec: ticks / 100 };
  } catch {
    return null;
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(WORKER_MAIN)) throw new Error(`${WORKER_MAIN} is missing: run \`npx nx build monitor-worker\` first`);
  const stamp = Date.now().toString(36);
  const adminUrl = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const dbName = `epitrace_bench_${stamp}`;
  const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
  const prefix = `bench-${stamp}`;
  const children = [];
  const log = (m) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  let db;
  const cleanup = async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await sleep(1500);
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await db?.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    const redis = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  };
  process.on('SIGINT', () => cleanup().finally(() => process.exit(130)));

  try {
    log(`machine: ${os.cpus().length} × ${os.cpus()[0].model}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    log(`options: ${JSON.stringify(opts)}`);

    const targetPort = await freePort();
    const target = fork(path.join(__dirname, 'target-server.js'), [], { env: { PORT: String(targetPort) }, stdio: 'inherit' });
    children.push(target);
    await new Promise((r) => target.once('message', r));
    const targetUrl = `http://127.0.0.1:${targetPort}`;

    const workers = [];
    for (let w = 0; w < opts.workers; w++) {
      const port = await freePort();
      const child = spawn(process.execPath, [...(process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean), WORKER_MAIN], {
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_ENV: 'development',
          LOG_LEVEL: 'warn',
          DATABASE_URL: dbUrl,
          REDIS_URL: redisUrl,
          QUEUE_PREFIX: prefix,
          MONITOR_WORKER_PORT: String(port),
          MONITOR_WORKER_HOST: '127.0.0.1',
          MONITOR_WORKER_CONCURRENCY: String(opts.concurrency),
          SCHEDULE_RECONCILE_INTERVAL_MS: '5000',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      children.push(child);
      workers.push({ child, port });
      for (let i = 0; ; i++) {
        if (child.exitCode !== null) throw new Error(`monitor-worker ${w} exited with ${child.exitCode}`);
        const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok).catch(() => false);
        if (ok) break;
        if (i > 240) throw new Error('monitor-worker did not become healthy');
        await sleep(250);
      }
      log(`monitor-worker ${w} up (pid ${child.pid})`);
    }

    db = new Client({ connectionString: dbUrl });
    await db.connect();
    const { rows: users } = await db.query(`INSERT INTO users (email, password_hash) VALUES ('bench@example.test', 'x') RETURNING id`);
    await db.query(
      `INSERT INTO monitors (user_id, name, url, method, is_active, check_interval, timeout, failure_threshold, recovery_threshold)
       SELECT $1, 'bench ' || n, $2 || '/m/' || n, 'GET', true, $3, 5, $4, 2 FROM generate_series(0, $5 - 1) AS n`,
      [users[0].id, targetUrl, opts.interval, opts.failureThreshold, opts.monitors],
    );
    const { rows: flipRows } = await db.query(`SELECT id FROM monitors WHERE url ~ '/m/([0-9]+)$' AND substring(url from '/m/([0-9]+)$')::int < $1`, [opts.flip]);
    const flipIds = flipRows.map((r) => r.id);
    log(`${opts.monitors} monitors at ${opts.interval} s registered in Postgres; the workers' reconciler schedules them`);

    // Watch rows arrive: check→row latency = when the row became visible − when the check ended.
    const rowLatencies = [];
    let lastId = 0;
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const seenAt = Date.now();
        const { rows } = await db.query(
          `SELECT id, extract(epoch from checked_at) * 1000 AS checked, response_time_ms FROM monitor_checks WHERE id > $1 ORDER BY id LIMIT 20000`,
          [lastId],
        );
        for (const r of rows) {
          lastId = Math.max(lastId, Number(r.id));
          if (r.response_time_ms !== null) rowLatencies.push(seenAt - (Number(r.checked) + r.response_time_ms));
        }
        await sleep(100);
      }
    })();

    const warmupMs = (opts.interval + 10) * 1000;
    log(`warming up for ${warmupMs / 1000} s`);
    await sleep(warmupMs);

    const samples = new Map();
    const sampleAll = () => {
      const at = Date.now();
      for (const [name, pid] of [...workers.map((w, i) => [`monitor-worker ${i}`, w.child.pid]), ['target server', target.pid]]) {
        const s = sampleProcess(pid);
        if (s) (samples.get(name) ?? samples.set(name, []).get(name)).push({ at, ...s });
      }
    };
    rowLatencies.length = 0;
    const windowStart = new Date();
    sampleAll();
    const sampler = setInterval(sampleAll, 5000);
    log(`measuring for ${opts.duration} s`);
    await sleep(opts.duration * 1000);
    const windowEnd = new Date();
    sampleAll();

    const { rows: [agg] } = await db.query(
      `SELECT count(*)::int AS checks,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch from checked_at - scheduled_at) * 1000) AS lag_p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch from checked_at - scheduled_at) * 1000) AS lag_p99,
              max(extract(epoch from checked_at - scheduled_at) * 1000)::float8 AS lag_max,
              count(DISTINCT monitor_id)::int AS monitors
         FROM monitor_checks WHERE scheduled_at >= $1 AND scheduled_at < $2`,
      [windowStart, windowEnd],
    );
    const windowSec = (windowEnd - windowStart) / 1000;
    const latencies = rowLatencies.slice().sort((a, b) => a - b);

    // DOWN detection: flip the first `flip` monitors' endpoint to 500 and time the incidents.
    let detection = null;
    if (flipIds.length) {
      const flippedAt = Date.now();
      await fetch(`${targetUrl}/__flip?below=${opts.flip}`);
      const deadline = flippedAt + (opts.failureThreshold * opts.interval + 30) * 1000;
      const seen = new Map();
      while (seen.size < flipIds.length && Date.now() < deadline) {
        const { rows } = await db.query(`SELECT monitor_id FROM incidents WHERE monitor_id = ANY($1::uuid[]) AND state = 'open'`, [flipIds]);
        for (const r of rows) if (!seen.has(r.monitor_id)) seen.set(r.monitor_id, Date.now() - flippedAt);
        await sleep(100);
      }
      const d = [...seen.values()].sort((a, b) => a - b);
      const { rows: [inc] } = await db.query(`SELECT count(*)::int AS n, count(DISTINCT monitor_id)::int AS monitors FROM incidents`);
      detection = { detected: d.length, of: flipIds.length, p50: percentile(d, 50), max: d[d.length - 1], incidents: inc.n, incidentMonitors: inc.monitors };
    }
    clearInterval(sampler);
    polling = false;
    await poller;

    const { rows: [totals] } = await db.query(
      `SELECT count(*)::int AS rows, (SELECT count(*)::int FROM (SELECT 1 FROM monitor_checks GROUP BY monitor_id, scheduled_at HAVING count(*) > 1) d) AS dup FROM monitor_checks`,
    );
    const { rows: perMonitorRows } = await db.query(`SELECT substring(m.url from '/m/[0-9]+$') AS path, count(c.id)::int AS n FROM monitors m LEFT JOIN monitor_checks c ON c.monitor_id = m.id GROUP BY m.url`);
    const served = await (await fetch(`${targetUrl}/__stats`)).json();
    const doubled = perMonitorRows.filter((r) => (served.perPath[r.path] ?? 0) > r.n + 1).length;

    const lines = [];
    lines.push('');
    lines.push(`== EpiTrace monitoring benchmark (${new Date().toISOString()}) ==`);
    lines.push(`machine            ${os.cpus().length} cores (${os.cpus()[0].model}), load avg at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    lines.push(`setup              ${opts.monitors} monitors @ ${opts.interval} s, ${opts.workers} monitor-worker process(es), concurrency ${opts.concurrency}, measured ${fmt(windowSec)} s`);
    lines.push(`offered load       ${fmt(opts.monitors / opts.interval)} checks/s`);
    lines.push(`checks/s sustained ${fmt(agg.checks / windowSec, 1)}  (${agg.checks} checks of ${agg.monitors} monitors in the window)`);
    lines.push(`schedule lag       p50 ${fmt(agg.lag_p50)} ms, p99 ${fmt(agg.lag_p99)} ms, max ${fmt(agg.lag_max)} ms  (check start − intended start)`);
    lines.push(`check→row latency  p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms  (row visible − check end; 100 ms polling)`);
    if (detection) {
      const bound = opts.failureThreshold * opts.interval * 1000 + 1000;
      lines.push(
        `DOWN detection     ${detection.detected}/${detection.of} monitors, p50 ${fmt(detection.p50)} ms, max ${fmt(detection.max)} ms after the flip (bound failure_threshold × interval + 1 s = ${bound} ms)`,
      );
      lines.push(`incidents          ${detection.incidents} opened for ${detection.incidentMonitors} monitors (one per outage expected)`);
    }
    lines.push(`run-twice check    ${totals.rows} rows, ${served.total} requests served, ${totals.dup} duplicate (monitor, scheduled_at) rows, ${doubled} monitors with more requests than rows + 1`);
    for (const [name, s] of samples) {
      const first = s[0];
      const last = s[s.length - 1];
      const cpu = ((last.cpuSec - first.cpuSec) / ((last.at - first.at) / 1000)) * 100;
      const rss = s.map((x) => x.rssMb);
      lines.push(
        `${name.padEnd(18)} CPU ${fmt(cpu)}% of one core, RSS start ${fmt(first.rssMb)} MB → end ${fmt(last.rssMb)} MB (min ${fmt(Math.min(...rss))}, max ${fmt(Math.max(...rss))})`,
      );
      if (name.startsWith('monitor-worker') && s.length > 12) {
        const byMinute = new Map();
        for (const x of s) {
          const minute = Math.round((x.at - first.at) / 60_000);
          if (!byMinute.has(minute)) byMinute.set(minute, fmt(x.rssMb));
        }
        const perMinute = [...byMinute.values()];
        lines.push(`${''.padEnd(18)} RSS each minute (MB): ${perMinute.join(' ')}`);
      }
    }
    const workerCpuSec = [...samples]
      .filter(([name]) => name.startsWith('monitor-worker'))
      .reduce((sum, [, s]) => sum + (s[s.length - 1].cpuSec - s[0].cpuSec), 0);
    lines.push(`worker CPU / check ${fmt((workerCpuSec * 1000) / Math.max(1, agg.checks), 2)} ms (all monitor-worker processes, measurement window)`);
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  process.stderr.write(`benchmark failed: ${err.stack ?? err}\n`);
  process.exit(1);
});
