import { execFile } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface GitRequestRecord {
  method: string;
  path: string;
  /** Whether the request carried the expected token (false when it carried none or another). */
  authorized: boolean;
  /** What the Authorization header was, as a scheme only (never the credential). */
  authScheme: string | null;
}

export interface FakeGitServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Bare repositories live under `<root>/<owner>/<name>.git`. */
  root: string;
  requests: GitRequestRecord[];
  /** Creates a bare repository with one commit of `files` on `defaultBranch`; returns its web URL. */
  createRepo(owner: string, name: string, files: Record<string, string>, options?: { defaultBranch?: string }): Promise<string>;
  /** `{ branch: sha }` of a repository as the server holds it. */
  branches(owner: string, name: string): Promise<Record<string, string>>;
  /** A file's content on a branch, or null when the branch or file is absent. */
  readFile(owner: string, name: string, branch: string, path: string): Promise<string | null>;
  /** Files changed on `branch` relative to `base`. */
  changedFiles(owner: string, name: string, base: string, branch: string): Promise<string[]>;
  close(): Promise<void>;
}

/** A plain environment for the server's own git commands (no inherited GIT_* from the test runner). */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return {
    ...env,
    GIT_AUTHOR_NAME: 'Fixture',
    GIT_AUTHOR_EMAIL: 'fixture@example.test',
    GIT_COMMITTER_NAME: 'Fixture',
    GIT_COMMITTER_EMAIL: 'fixture@example.test',
    GIT_CONFIG_NOSYSTEM: '1',
  };
}

function git(cwd: string, args: string[]): Promise<string> {
  return run('git', args, { cwd, env: gitEnv(), maxBuffer: 32 * 1024 * 1024 }).then((r) => r.stdout);
}

function expectedCredential(token: string): (header: string | undefined) => boolean {
  return (header) => {
    if (!header) return false;
    const [scheme, value] = header.split(' ');
    if (scheme?.toLowerCase() !== 'basic' || !value) return false;
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1) === token;
  };
}

/**
 * A real git smart-HTTP server for tests: `git http-backend` (CGI) behind a Node HTTP server,
 * requiring HTTP Basic auth with the given token on every request like GitHub does for
 * private repositories. Pushes are accepted.
 */
export async function startGitHttpServer(options: { token?: string } = {}): Promise<FakeGitServer> {
  const root = await mkdtemp(join(tmpdir(), 'fake-git-'));
  const requests: GitRequestRecord[] = [];
  const isAuthorized = options.token ? expectedCredential(options.token) : () => true;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const authorized = isAuthorized(req.headers.authorization);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, authorized, authScheme: req.headers.authorization?.split(' ')[0] ?? null });
    if (!authorized) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake-git"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...gitEnv(),
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        REQUEST_METHOD: req.method ?? 'GET',
        QUERY_STRING: url.search.replace(/^\?/, ''),
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        CONTENT_LENGTH: String(body.length),
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_USER: 'x-access-token',
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    const out: Buffer[] = [];
    cgi.stdout.on('data', (c: Buffer) => out.push(c));
    cgi.stderr.on('data', () => undefined);
    cgi.stdin.on('error', () => undefined);
    cgi.stdin.end(body);
    await new Promise<void>((resolve) => cgi.on('close', () => resolve()));
    const raw = Buffer.concat(out);
    let split = raw.indexOf('\r\n\r\n');
    let sepLength = 4;
    if (split < 0) {
      split = raw.indexOf('\n\n');
      sepLength = 2;
    }
    const head = split >= 0 ? raw.subarray(0, split).toString('utf8') : '';
    const payload = split >= 0 ? raw.subarray(split + sepLength) : raw;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.split(/\r?\n/)) {
      const i = line.indexOf(':');
      if (i < 0) continue;
      const key = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (key.toLowerCase() === 'status') status = parseInt(value, 10) || 200;
      else headers[key] = value;
    }
    res.writeHead(status, headers);
    res.end(payload);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(err.message));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bare = (owner: string, name: string) => join(root, owner, `${name}.git`);

  return {
    url,
    root,
    requests,
    async createRepo(owner, name, files, { defaultBranch = 'main' } = {}) {
      const path = bare(owner, name);
      await mkdir(dirname(path), { recursive: true });
      await git(root, ['init', '--quiet', '--bare', '--initial-branch', defaultBranch, path]);
      await git(path, ['config', 'http.receivepack', 'true']);
      const work = await mkdtemp(join(tmpdir(), 'fake-git-seed-'));
      try {
        await git(work, ['init', '--quiet', '--initial-branch', defaultBranch]);
        for (const [file, content] of Object.entries(files)) {
          await mkdir(dirname(join(work, file)), { recursive: true });
          await writeFile(join(work, file), content);
        }
        await git(work, ['add', '--all']);
        await git(work, ['commit', '--quiet', '-m', 'initial commit']);
        await git(work, ['push', '--quiet', path, `HEAD:refs/heads/${defaultBranch}`]);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
      return `${url}/${owner}/${name}`;
    },
    async branches(owner, name) {
      const out = await git(bare(owner, name), ['for-each-ref', '--format=%(refname:short) %(objectname)', 'refs/heads']);
      return Object.fromEntries(
        out
          .split('\n')
          .filter(Boolean)
          .map((line) => line.split(' ') as [string, string]),
      );
    },
    async readFile(owner, name, branch, path) {
      try {
        return await git(bare(owner, name), ['show', `${branch}:${path}`]);
      } catch {
        return null;
      }
    },
    async changedFiles(owner, name, base, branch) {
      const out = await git(bare(owner, name), ['diff', '--name-only', `${base}..${branch}`]);
      return out.split('\n').filter(Boolean);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
