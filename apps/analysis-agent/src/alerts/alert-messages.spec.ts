import { AlertContent } from './alert-content';
import { DISCORD_LIMITS, discordMessage } from './discord-message';
import { SLACK_LIMITS, slackMessage } from './slack-message';
import { retryAfterMs } from './webhook-sender';

const content = (over: Partial<AlertContent> = {}): AlertContent => ({
  title: '🔴 API is DOWN',
  tone: 'danger',
  intro: 'https://api.example.com has been failing.',
  facts: [{ label: 'Endpoint', value: 'GET https://api.example.com' }],
  analysis: { summary: 'sum', root_cause: 'cause', evidence: ['ev'], suspected_files: ['a.js'], proposed_fix: 'fix', confidence: 'high' },
  links: [{ label: 'Auto-fix', url: 'https://epitrace.example.com/alert/trigger-agent?token=t', primary: true }],
  moreUrl: 'https://epitrace.example.com/dashboard?incident=1',
  timestamp: new Date('2026-01-01T00:00:00Z'),
  ...over,
});

describe('Slack message', () => {
  it('escapes the model\'s text so it cannot mention @channel or forge links', () => {
    const msg = slackMessage(content({ analysis: { summary: '<!channel> see <https://evil.example|here> & more', root_cause: '', evidence: [], suspected_files: [], proposed_fix: '', confidence: 'low' } }));
    const text = JSON.stringify(msg);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
  });

  it('shortens a huge title and analysis to Slack\'s limits', () => {
    const msg = slackMessage(content({ title: 'T'.repeat(500), analysis: { summary: 'x'.repeat(10_000), root_cause: '', evidence: [], suspected_files: [], proposed_fix: '', confidence: 'low' } }));
    const blocks = msg['blocks'] as { type: string; text?: { text: string } }[];
    expect(blocks[0].text?.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
    for (const b of blocks) expect(b.text?.text.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
  });
});

describe('Discord message', () => {
  it('never lets the message mention anyone', () => {
    const msg = discordMessage(content({ intro: '@everyone the site is down' }));
    expect(msg['allowed_mentions']).toEqual({ parse: [] });
    expect(JSON.stringify(msg)).not.toContain('@everyone');
  });

  it('fits many long fields into the 6000-character embed limit', () => {
    const msg = discordMessage(
      content({
        facts: Array.from({ length: 30 }, (_, i) => ({ label: `F${i}`, value: 'v'.repeat(2000) })),
        analysis: { summary: 's'.repeat(5000), root_cause: 'r'.repeat(5000), evidence: ['e'.repeat(5000)], suspected_files: ['f'.repeat(5000)], proposed_fix: 'p', confidence: 'low' },
      }),
    );
    const embed = (msg['embeds'] as { title: string; description: string; fields: { name: string; value: string }[]; footer: { text: string } }[])[0];
    const size = embed.title.length + embed.description.length + embed.footer.text.length + embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(size).toBeLessThanOrEqual(DISCORD_LIMITS.total);
    expect(embed.fields.length).toBeLessThanOrEqual(DISCORD_LIMITS.fields);
    for (const f of embed.fields) expect(f.value.length).toBeLessThanOrEqual(DISCORD_LIMITS.fieldValue);
    expect(embed.description.length).toBeLessThanOrEqual(DISCORD_LIMITS.description);
  });
});

describe('retryAfterMs', () => {
  it('reads Discord\'s retry_after seconds from the body before the headers', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '9' }), '{"retry_after": 1.5}')).toBe(1500);
  });

  it('reads Slack\'s Retry-After header in seconds', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '30' }), 'rate_limited')).toBe(30_000);
  });

  it('waits a second when the answer says nothing', () => {
    expect(retryAfterMs(new Headers(), '')).toBe(1000);
  });
});
