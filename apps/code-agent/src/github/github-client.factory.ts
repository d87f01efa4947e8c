import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@epitrace/nest-common';
import type { RepoLocation } from '@epitrace/repo-checkout';
import type { CodeAgentConfig } from '../config/code-agent.config';
import { GitHubClient } from './github-client';

export const PUBLIC_GITHUB_API = 'https://api.github.com';

/**
 * Which REST API serves a repository: GITHUB_API_URL when it was set; with the default
 * (api.github.com), a repository on another host is taken to be on GitHub Enterprise, whose API
 * lives at `https://<host>/api/v3`.
 */
export function apiUrlFor(repo: Pick<RepoLocation, 'host' | 'origin'>, configured: string): string {
  const isDefault = configured.replace(/\/+$/, '') === PUBLIC_GITHUB_API;
  if (isDefault && repo.host !== 'github.com' && repo.host !== 'www.github.com') return `${repo.origin}/api/v3`;
  return configured;
}

/** One client per job, for that job's token, against the API that serves the repository. */
@Injectable()
export class GitHubClientFactory {
  constructor(@Inject(APP_CONFIG) private readonly config: CodeAgentConfig) {}

  forRepository(token: string, repo: Pick<RepoLocation, 'host' | 'origin'>): GitHubClient {
    return new GitHubClient(token, apiUrlFor(repo, this.config.GITHUB_API_URL));
  }
}
