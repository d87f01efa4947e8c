/** The few fields of a pull request the code agent reads. */
export interface PullRequestSummary {
  number: number;
  html_url: string;
  state: 'open' | 'closed' | string;
  draft?: boolean;
  merged_at?: string | null;
  head: { ref: string };
}

export interface PullRequestDraft {
  owner: string;
  repo: string;
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
}

/** The part of Octokit used here, typed by hand: @octokit/rest is ESM-only and its types need node16 resolution. */
interface OctokitSubset {
  rest: {
    repos: { get(params: { owner: string; repo: string }): Promise<{ data: { default_branch: string } }> };
    pulls: {
      list(params: { owner: string; repo: string; head: string; state: 'open' | 'closed' | 'all'; per_page?: number }): Promise<{ data: PullRequestSummary[] }>;
      create(params: PullRequestDraft): Promise<{ data: PullRequestSummary }>;
      update(params: { owner: string; repo: string; pull_number: number; title?: string; body?: string; state?: 'open' | 'closed' }): Promise<{ data: PullRequestSummary }>;
    };
  };
}

type OctokitLog = Record<'debug' | 'info' | 'warn' | 'error', (message: string) => void>;
type OctokitConstructor = new (options: { auth: string; baseUrl: string; userAgent: string; log: OctokitLog; request?: { timeout?: number } }) => OctokitSubset;

// Octokit prints failed requests with console.error; failures are reported by this class instead.
const quiet = () => undefined;
const SILENT_LOG: OctokitLog = { debug: quiet, info: quiet, warn: quiet, error: quiet };

function loadOctokit(): OctokitConstructor {
  // require() of an ES module works natively on Node 20.19+; webpack leaves node_modules external.
  return (require('@octokit/rest') as { Octokit: OctokitConstructor }).Octokit;
}

export class GitHubApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
    this.name = 'GitHubApiError';
  }
}

/**
 * GitHub (or GitHub Enterprise, through `apiUrl`) for one job and one token. Errors are rethrown
 * without Octokit's request details, which include the Authorization header.
 */
export class GitHubClient {
  private readonly octokit: OctokitSubset;

  constructor(token: string, apiUrl: string) {
    const Octokit = loadOctokit();
    this.octokit = new Octokit({ auth: token, baseUrl: apiUrl.replace(/\/+$/, ''), userAgent: 'epitrace-code-agent', log: SILENT_LOG, request: { timeout: 30_000 } });
  }

  async defaultBranch(owner: string, repo: string): Promise<string> {
    const { data } = await this.call(() => this.octokit.rest.repos.get({ owner, repo }), `read repository ${owner}/${repo}`);
    return data.default_branch;
  }

  /** The pull request (open or closed) whose head is `branch` of the same repository, newest first. */
  async findPullRequest(owner: string, repo: string, branch: string): Promise<PullRequestSummary | null> {
    const { data } = await this.call(
      () => this.octokit.rest.pulls.list({ owner, repo, head: `${owner}:${branch}`, state: 'all', per_page: 10 }),
      `list pull requests of ${owner}/${repo}`,
    );
    const own = data.filter((pr) => pr.head?.ref === branch);
    return own.find((pr) => pr.state === 'open') ?? own[0] ?? null;
  }

  async createPullRequest(draft: PullRequestDraft): Promise<PullRequestSummary> {
    const { data } = await this.call(() => this.octokit.rest.pulls.create(draft), `open a pull request on ${draft.owner}/${draft.repo}`);
    return data;
  }

  async updatePullRequest(owner: string, repo: string, number: number, changes: { title?: string; body?: string; state?: 'open' }): Promise<PullRequestSummary> {
    const { data } = await this.call(() => this.octokit.rest.pulls.update({ owner, repo, pull_number: number, ...changes }), `update pull request #${number}`);
    return data;
  }

  private async call<T>(request: () => Promise<T>, what: string): Promise<T> {
    try {
      return await request();
    } catch (err) {
      const status = (err as { status?: number }).status;
      const detail = (err as { response?: { data?: { message?: string } } }).response?.data?.message ?? (err as Error).message;
      throw new GitHubApiError(`GitHub API: could not ${what}${status ? ` (HTTP ${status})` : ''}: ${String(detail).slice(0, 300)}`, status);
    }
  }
}
