import type { FixJob, Incident, IncidentAnalysis, Monitor } from '@epitrace/entities';
import { AlertContent, AlertFact, AlertLink, formatDuration } from './alert-content';

/** Where people read an incident in full (the dashboard, which loads the analysis through the API). */
export function incidentUrl(publicUrl: string, incident: Pick<Incident, 'id' | 'monitorId'>): string {
  return `${publicUrl.replace(/\/+$/, '')}/dashboard?monitor=${incident.monitorId}&incident=${incident.id}`;
}

function baseFacts(monitor: Monitor): AlertFact[] {
  const facts: AlertFact[] = [{ label: 'Endpoint', value: `${monitor.method} ${monitor.url}` }];
  if (monitor.repoLink) facts.push({ label: 'Repository', value: monitor.repoLink, url: safeHttpUrl(monitor.repoLink) });
  return facts;
}

/** Only http(s) links become clickable: a repository link is user input. */
function safeHttpUrl(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

export interface DownAlertInput {
  monitor: Monitor;
  incident: Incident;
  analysis?: IncidentAnalysis | null;
  /** Why the analysis is not in this alert (failed, still running, no repository…). */
  analysisNote?: string;
  fixUrl?: string;
  publicUrl: string;
}

export function downAlert(input: DownAlertInput): AlertContent {
  const { monitor, incident } = input;
  const moreUrl = incidentUrl(input.publicUrl, incident);
  const cause = incident.cause ?? 'check failed';
  const error = incident.statusCode && !cause.includes(String(incident.statusCode)) ? `${cause} (HTTP ${incident.statusCode})` : cause;
  const links: AlertLink[] = [];
  if (input.fixUrl) links.push({ label: '🛠 Auto-fix with Cline', url: input.fixUrl, primary: true });
  links.push({ label: 'View incident', url: moreUrl });
  return {
    title: `🔴 ${monitor.name} is DOWN`,
    tone: 'danger',
    intro: `${monitor.url} has been failing since ${incident.openedAt.toISOString()}.`,
    facts: [...baseFacts(monitor).slice(0, 1), { label: 'Error', value: error }, ...baseFacts(monitor).slice(1), { label: 'Down since', value: incident.openedAt.toISOString() }],
    analysis: input.analysis ?? undefined,
    analysisNote: input.analysis ? undefined : input.analysisNote,
    links,
    moreUrl,
    timestamp: incident.openedAt,
  };
}

/** Sent when the analysis lands after the alert already went out without it. */
export function analysisFollowUp(input: { monitor: Monitor; incident: Incident; analysis: IncidentAnalysis; fixUrl?: string; publicUrl: string }): AlertContent {
  const moreUrl = incidentUrl(input.publicUrl, input.incident);
  const links: AlertLink[] = [];
  if (input.fixUrl) links.push({ label: '🛠 Auto-fix with Cline', url: input.fixUrl, primary: true });
  links.push({ label: 'View incident', url: moreUrl });
  return {
    title: `🔎 Analysis of ${input.monitor.name} outage`,
    tone: 'warning',
    intro: `Cline finished analysing the outage of ${input.monitor.url} (down since ${input.incident.openedAt.toISOString()}).`,
    facts: baseFacts(input.monitor),
    analysis: input.analysis,
    links,
    moreUrl,
    timestamp: new Date(),
  };
}

export function recoveredAlert(input: { monitor: Monitor; incident: Incident; publicUrl: string }): AlertContent {
  const { monitor, incident } = input;
  const resolvedAt = incident.resolvedAt ?? new Date();
  const duration = formatDuration(resolvedAt.getTime() - incident.openedAt.getTime());
  const moreUrl = incidentUrl(input.publicUrl, incident);
  return {
    title: `✅ ${monitor.name} is back UP`,
    tone: 'good',
    intro: `${monitor.url} recovered after an outage of ${duration}.`,
    facts: [...baseFacts(monitor).slice(0, 1), { label: 'Outage duration', value: duration }, { label: 'Down since', value: incident.openedAt.toISOString() }, { label: 'Recovered at', value: resolvedAt.toISOString() }],
    links: [{ label: 'View incident', url: moreUrl }],
    moreUrl,
    timestamp: resolvedAt,
  };
}

export function fixFinishedAlert(input: { monitor: Monitor; incident: Incident; fixJob: FixJob; publicUrl: string }): AlertContent {
  const { monitor, incident, fixJob } = input;
  const moreUrl = incidentUrl(input.publicUrl, incident);
  const links: AlertLink[] = [];
  const facts = baseFacts(monitor);
  let title: string;
  let intro: string;
  let tone: AlertContent['tone'];
  if (fixJob.status === 'done' && fixJob.prUrl) {
    title = `🛠 Fix ready for review: ${monitor.name}`;
    intro = `Cline opened pull request${fixJob.prNumber ? ` #${fixJob.prNumber}` : ''} for the outage of ${monitor.url}. A human should review it before merging.`;
    tone = 'good';
    links.push({ label: 'Review the pull request', url: fixJob.prUrl, primary: true });
    facts.push({ label: 'Pull request', value: fixJob.prUrl, url: safeHttpUrl(fixJob.prUrl) });
    if (fixJob.branch) facts.push({ label: 'Branch', value: fixJob.branch });
    if (fixJob.afterTestOutcome) facts.push({ label: 'Tests after the fix', value: fixJob.afterTestOutcome });
  } else if (fixJob.status === 'no-change') {
    title = `🤷 No fix proposed: ${monitor.name}`;
    intro = `Cline did not change any code for the outage of ${monitor.url}.${fixJob.error ? ` ${fixJob.error}` : ''}`;
    tone = 'info';
  } else {
    title = `❌ Auto-fix failed: ${monitor.name}`;
    intro = `The auto-fix for the outage of ${monitor.url} failed${fixJob.error ? `: ${fixJob.error}` : '.'}`;
    tone = 'warning';
  }
  links.push({ label: 'View incident', url: moreUrl });
  return { title, tone, intro, facts, links, moreUrl, timestamp: fixJob.finishedAt ?? new Date() };
}
