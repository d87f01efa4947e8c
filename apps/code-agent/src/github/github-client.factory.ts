import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@epitrace/nest-common';
import type { CodeAgentConfig } from '../config/code-agent.config';
import { GitHubClient } from './github-client';

/** One client per job, for that job's token, against the configured GitHub (or GHE) API. */
@Injectable()
export class GitHubClientFactory {
  constructor(@Inject(APP_CONFIG) private readonly config: CodeAgentConfig) {}

  forToken(token: string): GitHubClient {
    return new GitHubClient(token, this.config.GITHUB_API_URL);
  }
}
