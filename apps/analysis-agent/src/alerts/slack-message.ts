import { AlertContent, shorten } from './alert-content';

/** Slack's documented Block Kit limits. */
export const SLACK_LIMITS = { header: 150, sectionText: 3000, fieldText: 2000, fields: 10, buttonText: 75, url: 3000, fallbackText: 3000 } as const;

/** Slack treats &, < and > as control characters in mrkdwn (links, mentions such as <!channel>). */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function link(url: string, label: string): string {
  return `<${url}|${esc(label).replace(/\|/g, '¦')}>`;
}

/** Text of a section, shortened with a link to the full text when it does not fit. */
function fit(text: string, max: number, moreUrl: string): string {
  if (text.length <= max) return text;
  const more = `… ${link(moreUrl, 'full analysis')}`;
  return `${text.slice(0, max - more.length).trimEnd()}${more}`;
}

/** An incoming-webhook message with Block Kit: header, facts, analysis, buttons. */
export function slackMessage(content: AlertContent): Record<string, unknown> {
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: shorten(content.title, SLACK_LIMITS.header), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: fit(esc(content.intro), SLACK_LIMITS.sectionText, content.moreUrl) } },
  ];
  const fields = content.facts.slice(0, SLACK_LIMITS.fields).map((f) => ({
    type: 'mrkdwn',
    text: shorten(`*${esc(f.label)}*\n${f.url ? link(f.url, shorten(f.value, 500)) : esc(f.value)}`, SLACK_LIMITS.fieldText),
  }));
  if (fields.length) blocks.push({ type: 'section', fields });

  const a = content.analysis;
  if (a) {
    const parts = [`*Summary*\n${esc(a.summary)}`];
    if (a.root_cause) parts.push(`*Root cause*\n${esc(a.root_cause)}`);
    if (a.evidence.length) parts.push(`*Evidence*\n${a.evidence.map((e) => `• ${esc(e)}`).join('\n')}`);
    if (a.suspected_files.length) parts.push(`*Suspected files*\n${a.suspected_files.map((f) => `\`${esc(f)}\``).join(', ')}`);
    if (a.proposed_fix) parts.push(`*Proposed fix*\n${esc(a.proposed_fix)}`);
    if (!a.root_cause && a.raw) parts.push(`*Cline's answer*\n${esc(a.raw)}`);
    parts.push(`*Confidence:* ${esc(String(a.confidence))}`);
    blocks.push({ type: 'divider' });
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: fit(`:mag: *Root-cause analysis (Cline)*\n${parts.join('\n\n')}`, SLACK_LIMITS.sectionText, content.moreUrl) } });
  } else if (content.analysisNote) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: shorten(`:warning: ${esc(content.analysisNote)}`, SLACK_LIMITS.sectionText) }] });
  }

  const buttons = content.links
    .filter((l) => l.url.length <= SLACK_LIMITS.url)
    .slice(0, 5)
    .map((l) => ({ type: 'button', text: { type: 'plain_text', text: shorten(l.label, SLACK_LIMITS.buttonText), emoji: true }, url: l.url, ...(l.primary ? { style: 'primary' } : {}) }));
  if (buttons.length) blocks.push({ type: 'actions', elements: buttons });

  return { text: shorten(`${content.title}: ${content.intro}`, SLACK_LIMITS.fallbackText), blocks, unfurl_links: false, unfurl_media: false };
}
