import { webhookUrlProblem } from './webhook-url.policy';

describe('webhookUrlProblem', () => {
  it('accepts Slack and Discord incoming-webhook URLs', () => {
    expect(webhookUrlProblem('slack', 'https://hooks.slack.com/services/T0/B0/abc', false)).toBeNull();
    expect(webhookUrlProblem('discord', 'https://discord.com/api/webhooks/123/abc-DEF_1', false)).toBeNull();
    expect(webhookUrlProblem('discord', 'https://discordapp.com/api/webhooks/123/abc', false)).toBeNull();
  });

  it('refuses other hosts, plain http, the other provider’s host and non-URLs', () => {
    expect(webhookUrlProblem('slack', 'https://evil.example.com/services/x', false)).toMatch(/hooks\.slack\.com/);
    expect(webhookUrlProblem('slack', 'http://hooks.slack.com/services/x', false)).toMatch(/https/);
    expect(webhookUrlProblem('slack', 'https://discord.com/api/webhooks/1/a', false)).not.toBeNull();
    expect(webhookUrlProblem('discord', 'https://discord.com/channels/1/2', false)).toMatch(/discord\.com\/api\/webhooks/);
    expect(webhookUrlProblem('discord', 'https://127.0.0.1/api/webhooks/1/a', false)).not.toBeNull();
    expect(webhookUrlProblem('slack', 'not a url', false)).toMatch(/valid URL/);
  });

  it('accepts any http(s) host only when allowAnyHost is on', () => {
    expect(webhookUrlProblem('slack', 'http://127.0.0.1:4000/hook', true)).toBeNull();
    expect(webhookUrlProblem('discord', 'ftp://127.0.0.1/hook', true)).toMatch(/http/);
  });
});
