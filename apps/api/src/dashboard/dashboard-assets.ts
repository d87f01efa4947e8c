import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DashboardAsset {
  body: Buffer;
  contentType: string;
}

const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  // Not the dashboard's own: the auto-fix status page (/alert/trigger-agent) loads it to poll its job.
  'fix-status.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/**
 * Where the static files are: next to this file when running from source (tests), or copied by
 * webpack to `dist/apps/api/dashboard` (where the bundle's __dirname is dist/apps/api).
 */
function staticDir(): string {
  const candidates = [join(__dirname, 'static'), join(__dirname, 'dashboard'), join(__dirname, 'dashboard', 'static')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) throw new Error(`dashboard assets not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** The dashboard is a handful of small files: read once at boot, served from memory. */
export function loadDashboardAssets(): Map<string, DashboardAsset> {
  const dir = staticDir();
  return new Map(Object.entries(FILES).map(([name, contentType]) => [name, { body: readFileSync(join(dir, name)), contentType }]));
}
