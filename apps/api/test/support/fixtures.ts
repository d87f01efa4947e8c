import { randomBytes } from 'node:crypto';

/** A valid POST /monitor/create body; override any field. */
export function monitorBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `Service ${randomBytes(2).toString('hex')}`,
    url: 'https://status.example.com/health',
    repo_link: 'https://github.com/acme/service',
    method: 'GET',
    check_interval: 60,
    timeout: 10,
    ...overrides,
  };
}

/** A GitHub-token-shaped secret that is unique per test, so it can be searched for. */
export function fakeGithubToken(): string {
  return `ghp_${randomBytes(18).toString('hex')}`;
}

export function slackWebhookUrl(): string {
  return `https://hooks.slack.com/services/T${randomBytes(4).toString('hex')}/B${randomBytes(4).toString('hex')}/${randomBytes(12).toString('hex')}`;
}

export const NIL_UUID = '00000000-0000-4000-8000-000000000000';
