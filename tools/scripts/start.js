#!/usr/bin/env node
// `npm start`: builds the four apps and runs them in one terminal with prefixed logs.
// Ctrl-C stops them all (SIGTERM to each, so they shut down gracefully).
const { spawnSync } = require('node:child_process');
const { Socket } = require('node:net');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '../..');
const APPS = ['api', 'monitor-worker', 'analysis-agent', 'code-agent'];

function reachable(url, defaultPort) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(u.port || defaultPort), u.hostname, () => done(true));
  });
}

async function main() {
  if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
    console.log('Installing dependencies (npm ci)…');
    const install = spawnSync('bash', [join(root, 'tools/scripts/npm-ci.sh')], { cwd: root, stdio: 'inherit' });
    if (install.status !== 0) process.exit(install.status || 1);
  }
  const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/epitrace';
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const problems = [];
  if (!(await reachable(databaseUrl, 5432))) {
    problems.push(
      `PostgreSQL is not reachable (${new URL(databaseUrl).host}). Start it:\n` +
        '    pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n' +
        '  or with Docker: docker compose up -d postgres',
    );
  }
  if (!(await reachable(redisUrl, 6379))) {
    problems.push(
      `Redis is not reachable (${new URL(redisUrl).host}). Start it:\n` +
        '    redis-server --daemonize yes --bind 127.0.0.1 --port 6379\n' +
        '  or with Docker: docker compose up -d redis',
    );
  }
  if (problems.length) {
    console.error(`\n${problems.join('\n\n')}\n`);
    process.exit(1);
  }

  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', `--projects=${APPS.join(',')}`], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) process.exit(build.status || 1);

  // Migrations: apply once before the apps start, so their logs are not interleaved with it.
  const migrate = spawnSync('node', ['dist/apps/api/migrate.js'], { cwd: root, stdio: 'inherit' });
  if (migrate.status !== 0) process.exit(migrate.status || 1);

  const { concurrently } = require('concurrently');
  const { result } = concurrently(
    APPS.map((app) => ({
      name: app,
      command: `node dist/apps/${app}/main.js`,
      env: { LOG_PRETTY: process.env.LOG_PRETTY ?? 'true' },
    })),
    { cwd: root, prefix: '[{name}]', prefixColors: ['cyan', 'magenta', 'yellow', 'green'], killOthersOn: ['failure'], killSignal: 'SIGTERM' },
  );
  result.then(
    () => process.exit(0),
    () => process.exit(1),
  );
}

main();
