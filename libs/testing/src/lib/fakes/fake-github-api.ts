import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

export interface FakePullRequest {
  number: number;
  title: string;
  body: string;
  draft: boolean;
  state: 'open' | 'closed';
  merged_at: string | null;
  html_url: string;
  head: { ref: string; label: string };
  base: { ref: string };
  owner: string;
  repo: string;
}

export interface FakeGitHubRequest {
  method: string;
  path: string;
  /** Whether the request carried the expected token. */
  authorized: boolean;
}

export interface FakeGitHubApi {
  /** Base URL to give Octokit (`GITHUB_API_URL`), like `https://<ghe-host>/api/v3`. */
  url: string;
  requests: FakeGitHubRequest[];
  pulls: FakePullRequest[];
  addRepo(owner: string, name: string, options?: { defaultBranch?: string }): void;
  close(): Promise<void>;
}

/**
 * A local stand-in for the GitHub REST API, speaking its JSON: repository lookup
 * (`default_branch`), pull request list (filtered by `head`/`state`), create (422 when one is
 * already open for the branch, as GitHub does) and update. Requires `Authorization: token|Bearer`.
 */
export async function startFakeGitHubApi(options: { token: string; htmlBase?: string }): Promise<FakeGitHubApi> {
  const repos = new Map<string, { defaultBranch: string }>();
  const pulls: FakePullRequest[] = [];
  const requests: FakeGitHubRequest[] = [];
  const htmlBase = options.htmlBase ?? 'https://github.example.test';

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };

  const readBody = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/^\/api\/v3/, '');
    const auth = req.headers.authorization ?? '';
    const authorized = auth === `token ${options.token}` || auth === `Bearer ${options.token}` || auth === `bearer ${options.token}`;
    requests.push({ method: req.method ?? 'GET', path: `${path}${url.search}`, authorized });
    if (!authorized) return send(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });

    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/pulls(?:\/(\d+))?)?\/?$/.exec(path);
    if (!repoMatch) return send(res, 404, { message: 'Not Found' });
    const [, owner, name, pullsPart, numberText] = repoMatch;
    const repo = repos.get(`${owner}/${name}`);
    if (!repo) return send(res, 404, { message: 'Not Found' });

    if (!pullsPart && req.method === 'GET') {
      return send(res, 200, { name, full_name: `${owner}/${name}`, private: true, default_branch: repo.defaultBranch, html_url: `${htmlBase}/${owner}/${name}` });
    }
    const ofRepo = pulls.filter((p) => p.owner === owner && p.repo === name);
    if (pullsPart && !numberText && req.method === 'GET') {
      const head = url.searchParams.get('head');
      const state = url.searchParams.get('state') ?? 'open';
      return send(
        res,
        200,
        ofRepo.filter((p) => (!head || p.head.label === head) && (state === 'all' || p.state === state)).reverse(),
      );
    }
    if (pullsPart && !numberText && req.method === 'POST') {
      const body = await readBody(req);
      const head = String(body['head'] ?? '');
      const ref = head.includes(':') ? head.split(':')[1] : head;
      if (!body['title'] || !ref || !body['base']) return send(res, 422, { message: 'Validation Failed', errors: [{ message: 'title, head and base are required' }] });
      if (ofRepo.some((p) => p.head.ref === ref && p.state === 'open')) {
        return send(res, 422, { message: 'Validation Failed', errors: [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${owner}:${ref}.` }] });
      }
      const number = pulls.length + 1;
      const pr: FakePullRequest = {
        number,
        title: String(body['title']),
        body: String(body['body'] ?? ''),
        draft: body['draft'] === true,
        state: 'open',
        merged_at: null,
        html_url: `${htmlBase}/${owner}/${name}/pull/${number}`,
        head: { ref, label: `${owner}:${ref}` },
        base: { ref: String(body['base']) },
        owner,
        repo: name,
      };
      pulls.push(pr);
      return send(res, 201, pr);
    }
    if (numberText) {
      const pr = ofRepo.find((p) => p.number === Number(numberText));
      if (!pr) return send(res, 404, { message: 'Not Found' });
      if (req.method === 'GET') return send(res, 200, pr);
      if (req.method === 'PATCH') {
        const body = await readBody(req);
        if (typeof body['title'] === 'string') pr.title = body['title'];
        if (typeof body['body'] === 'string') pr.body = body['body'];
        if (body['state'] === 'open' || body['state'] === 'closed') pr.state = body['state'];
        return send(res, 200, pr);
      }
    }
    return send(res, 404, { message: 'Not Found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => send(res, 500, { message: err.message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v3`;
  return {
    url,
    requests,
    pulls,
    addRepo(owner, name, { defaultBranch = 'main' } = {}) {
      repos.set(`${owner}/${name}`, { defaultBranch });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
