import type { Incident, Monitor, MonitorCheck } from '@epitrace/entities';

export const CONTEXT_FILE_NAME = 'epitrace-incident.md';

/** The incident as a file the agent reads: the CLI ignores stdin, and argv is no place for bodies. */
export function incidentContextMarkdown(monitor: Monitor, incident: Incident, checks: MonitorCheck[]): string {
  const lines = [
    `# Incident on monitor "${monitor.name}"`,
    '',
    `- Endpoint: ${monitor.method} ${monitor.url}`,
    `- Down since: ${incident.openedAt.toISOString()}`,
    `- Confirming error: ${incident.cause ?? 'unknown'}${incident.statusCode ? ` (HTTP ${incident.statusCode})` : ''}`,
    `- Expected status: ${monitor.expectedStatusRanges.map((r) => (r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`)).join(', ')}`,
    monitor.keyword ? `- Keyword expected to be ${monitor.keywordMode}: ${monitor.keyword}` : '',
    `- Check timeout: ${monitor.timeout} s, interval: ${monitor.checkInterval} s`,
    '',
    '## Recent checks (newest first)',
    '',
    '| checked at | status | HTTP | time (ms) | error |',
    '|---|---|---|---|---|',
    ...checks.map(
      (c) =>
        `| ${c.checkedAt.toISOString()} | ${c.status} | ${c.statusCode ?? ''} | ${c.responseTimeMs ?? ''} | ${(c.errorMessage ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`,
    ),
  ];
  return lines.filter((l, i) => l !== '' || lines[i - 1] !== '').join('\n') + '\n';
}

export function analysisPrompt(contextFile: string): string {
  return [
    'You are analysing a production incident: an HTTP endpoint of this repository\'s service is failing its health checks.',
    `The incident details and the recent checks are in ${contextFile} - read it first.`,
    'Investigate the code in the current directory to find the most likely root cause. Do not modify any file.',
    'Answer with ONLY one JSON object, no prose before or after, of exactly this shape:',
    '{"summary": "one or two sentences", "root_cause": "what is wrong and why", "evidence": ["file:line - observation", "..."],',
    ' "suspected_files": ["relative/path", "..."], "proposed_fix": "the change you would make", "confidence": "low|medium|high"}',
  ].join('\n');
}
