/** Where a repository lives, derived from a monitor's `repo_link`. */
export interface RepoLocation {
  /** `https://host[:port]`: the only place the token is ever sent. */
  origin: string;
  host: string;
  owner: string;
  name: string;
  /** What git clones and pushes to; never carries credentials. */
  cloneUrl: string;
  /** The repository's page, for links in PRs and alerts. */
  webUrl: string;
  /** `owner/name`. */
  fullName: string;
}

export class InvalidRepoUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRepoUrlError';
  }
}

const SCP_LIKE = /^(?:[A-Za-z0-9._-]+@)?([A-Za-z0-9.-]+):([^/][^\s]*)$/;
const SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * Accepts the ways people paste a repository link (`https://github.com/o/r`, `…/o/r.git`,
 * `…/o/r/tree/main`, `git@host:o/r.git`) and turns them into an HTTPS clone URL on the same host,
 * because the token is sent over HTTPS. Plain `http://` only when `allowHttp` (local test servers).
 * Links with embedded credentials are refused rather than silently stripped: they would leak.
 */
export function parseRepoUrl(link: string, options: { allowHttp?: boolean } = {}): RepoLocation {
  const trimmed = (link ?? '').trim();
  if (!trimmed) throw new InvalidRepoUrlError('the monitor has no repository link');
  let url: URL;
  const scp = SCP_LIKE.exec(trimmed);
  if (scp && !trimmed.includes('://')) {
    url = new URL(`https://${scp[1]}/${scp[2]}`);
  } else {
    try {
      url = new URL(trimmed.replace(/^ssh:\/\/(?:[^@/]+@)?/i, 'https://'));
    } catch {
      throw new InvalidRepoUrlError(`not a repository URL: ${trimmed.slice(0, 200)}`);
    }
  }
  if (url.protocol === 'http:' && !options.allowHttp) {
    throw new InvalidRepoUrlError('plain http repository URLs are refused (the token would travel unencrypted)');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidRepoUrlError(`unsupported repository URL scheme "${url.protocol}"`);
  }
  if (url.username || url.password) {
    throw new InvalidRepoUrlError('repository URLs must not contain credentials; add a GitHub token instead');
  }
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments.length < 2) throw new InvalidRepoUrlError('repository URL must name an owner and a repository');
  const owner = segments[0];
  const name = segments[1].replace(/\.git$/i, '');
  if (!SEGMENT.test(owner) || !SEGMENT.test(name) || name === '.' || name === '..') {
    throw new InvalidRepoUrlError('repository owner or name contains characters GitHub does not allow');
  }
  const origin = `${url.protocol}//${url.host}`;
  return {
    origin,
    host: url.host,
    owner,
    name,
    fullName: `${owner}/${name}`,
    cloneUrl: `${origin}/${owner}/${name}.git`,
    webUrl: `${origin}/${owner}/${name}`,
  };
}
