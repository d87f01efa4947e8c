import type { WebhookProvider } from '@epitrace/entities';

const SLACK_HOSTS = new Set(['hooks.slack.com']);
const DISCORD_HOSTS = new Set(['discord.com', 'discordapp.com', 'ptb.discord.com', 'canary.discord.com']);
const DISCORD_PATH = /^\/api(\/v\d+)?\/webhooks\/\d+\/[\w-]+\/?$/;

/**
 * Why a webhook URL is refused, or null when it is acceptable. Only Slack's and Discord's own
 * webhook endpoints are allowed by default, so the API cannot be used to make the alerting
 * workers post to arbitrary (e.g. internal) addresses; `allowAnyHost` lifts that for relays and tests.
 */
export function webhookUrlProblem(provider: WebhookProvider, raw: string, allowAnyHost: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'webhook_url must be a valid URL';
  }
  if (allowAnyHost) {
    return url.protocol === 'https:' || url.protocol === 'http:' ? null : 'webhook_url must be an http(s) URL';
  }
  if (url.protocol !== 'https:') return 'webhook_url must use https';
  if (url.username || url.password) return 'webhook_url must not contain credentials';
  if (url.port) return 'webhook_url must not set a port';
  if (provider === 'slack') {
    return SLACK_HOSTS.has(url.hostname) && url.pathname.length > 1 ? null : 'a Slack webhook_url must be an https://hooks.slack.com/… incoming-webhook URL';
  }
  return DISCORD_HOSTS.has(url.hostname) && DISCORD_PATH.test(url.pathname)
    ? null
    : 'a Discord webhook_url must look like https://discord.com/api/webhooks/<id>/<token>';
}
