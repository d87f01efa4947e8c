import { AlertContent, AlertTone, shorten } from './alert-content';

/** Discord's documented embed limits. */
export const DISCORD_LIMITS = { title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, footer: 2048, total: 6000 } as const;

const COLORS: Record<AlertTone, number> = { danger: 0xe01e5a, warning: 0xecb22e, good: 0x2eb67d, info: 0x36c5f0 };

/** Stops the model's text from being read as markdown links or mentions. */
function esc(text: string): string {
  return text.replace(/([\\`*_~|>[\]()])/g, '\\$1').replace(/@/g, '@\u200b');
}

function fit(text: string, max: number, moreUrl: string): string {
  if (text.length <= max) return text;
  const more = `… [full analysis](${moreUrl})`;
  return `${text.slice(0, Math.max(0, max - more.length)).trimEnd()}${more}`;
}

interface EmbedField {
  name: string;
  value: string;
  inline?: boolean;
}

function embedSize(embed: { title: string; description: string; fields: EmbedField[]; footer: { text: string } }): number {
  return embed.title.length + embed.description.length + embed.footer.text.length + embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
}

/** A webhook message with one embed that always fits Discord's limits: long text is shortened with a link, never rejected. */
export function discordMessage(content: AlertContent): Record<string, unknown> {
  const fields: EmbedField[] = content.facts.map((f) => ({
    name: shorten(f.label, DISCORD_LIMITS.fieldName),
    value: fit(f.url ? `[${esc(shorten(f.value, 300))}](${f.url})` : esc(f.value) || '—', DISCORD_LIMITS.fieldValue, content.moreUrl),
    inline: f.value.length < 60,
  }));

  let description = esc(content.intro);
  const a = content.analysis;
  if (a) {
    const parts = [`**Summary**\n${esc(a.summary)}`];
    if (a.root_cause) parts.push(`**Root cause**\n${esc(a.root_cause)}`);
    if (a.proposed_fix) parts.push(`**Proposed fix**\n${esc(a.proposed_fix)}`);
    if (!a.root_cause && a.raw) parts.push(`**Cline's answer**\n${esc(a.raw)}`);
    description += `\n\n🔎 **Root-cause analysis (Cline)**\n${parts.join('\n\n')}`;
    if (a.evidence.length) fields.push({ name: 'Evidence', value: fit(a.evidence.map((e) => `• ${esc(e)}`).join('\n'), DISCORD_LIMITS.fieldValue, content.moreUrl) });
    if (a.suspected_files.length) fields.push({ name: 'Suspected files', value: fit(a.suspected_files.map((f) => `\`${f.replace(/`/g, "'")}\``).join(', '), DISCORD_LIMITS.fieldValue, content.moreUrl) });
    fields.push({ name: 'Confidence', value: shorten(esc(String(a.confidence)), 100), inline: true });
  } else if (content.analysisNote) {
    description += `\n\n⚠️ ${esc(content.analysisNote)}`;
  }
  if (content.links.length) {
    fields.push({ name: 'Links', value: fit(content.links.map((l) => `[${esc(l.label)}](${l.url})`).join(' · '), DISCORD_LIMITS.fieldValue, content.moreUrl) });
  }

  const embed = {
    title: shorten(content.title, DISCORD_LIMITS.title),
    url: content.moreUrl,
    description: fit(description, DISCORD_LIMITS.description, content.moreUrl),
    color: COLORS[content.tone],
    fields: fields.slice(0, DISCORD_LIMITS.fields),
    timestamp: content.timestamp.toISOString(),
    footer: { text: 'EpiTrace' },
  };
  // The whole embed must stay under 6000 characters: the description gives way first.
  const excess = embedSize(embed) - DISCORD_LIMITS.total;
  if (excess > 0) embed.description = fit(embed.description, Math.max(200, embed.description.length - excess), content.moreUrl);
  while (embedSize(embed) > DISCORD_LIMITS.total && embed.fields.length > 1) embed.fields.splice(embed.fields.length - 2, 1);
  return { username: 'EpiTrace', embeds: [embed], allowed_mentions: { parse: [] } };
}
