import type { IncidentAnalysis } from '@epitrace/entities';

export type AlertTone = 'danger' | 'warning' | 'good' | 'info';

export interface AlertFact {
  label: string;
  value: string;
  url?: string;
}

export interface AlertLink {
  label: string;
  url: string;
  primary?: boolean;
}

/**
 * What an alert says, independent of where it goes: Slack and Discord renderers turn this into
 * their own format and enforce their own size limits.
 */
export interface AlertContent {
  title: string;
  tone: AlertTone;
  /** One or two plain sentences. */
  intro: string;
  facts: AlertFact[];
  analysis?: IncidentAnalysis;
  /** Shown instead of the analysis, e.g. "analysis unavailable: cline did not finish within 600 s". */
  analysisNote?: string;
  links: AlertLink[];
  /** Where the whole incident (and the full analysis) can be read; used when text is shortened. */
  moreUrl: string;
  timestamp: Date;
}

/** Cuts text to `max` characters, ending with an ellipsis when it was longer. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  return max <= 1 ? text.slice(0, max) : `${text.slice(0, max - 1).trimEnd()}…`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  const sec = s % 60;
  const parts = [d && `${d}d`, h && `${h}h`, m && `${m}m`, (sec || s === 0) && `${sec}s`].filter(Boolean);
  return parts.slice(0, 2).join(' ');
}
