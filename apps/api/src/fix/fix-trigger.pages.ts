import type { FixJob, FixJobStatus } from '@epitrace/entities';
import type { LinkPreview, LinkRefusal } from './fix-jobs.service';

const escapeHtml = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const STEP_LABELS: Record<FixJobStatus, string> = {
  queued: 'Queued',
  cloning: 'Cloning the repository',
  'baseline-tests': 'Running the tests before the fix',
  fixing: 'Cline is fixing the code',
  testing: 'Running the tests after the fix',
  pushing: 'Pushing the fix branch',
  'opening-pr': 'Opening the pull request',
  done: 'Done',
  failed: 'Failed',
  'no-change': 'Finished without a change',
};

export interface RefusalText {
  status: number;
  title: string;
  message: string;
}

/** The status code and the words for each refusal: a person must understand what to do next. */
export function describeRefusal(refusal: LinkRefusal): RefusalText {
  switch (refusal.reason) {
    case 'missing-token':
      return { status: 400, title: 'Incomplete link', message: 'This auto-fix link has no token. Open the link from the alert exactly as it was sent.' };
    case 'invalid':
      return {
        status: refusal.detail === 'bad signature' ? 403 : 400,
        title: 'Invalid link',
        message: 'This auto-fix link is not valid: it was changed or cut short. Open the link from the alert exactly as it was sent.',
      };
    case 'expired':
      return { status: 410, title: 'Link expired', message: 'This auto-fix link has expired. Start a fix from the dashboard (or POST /incidents/:id/fix) instead.' };
    case 'unknown':
      return { status: 404, title: 'Unknown link', message: 'This auto-fix link is not known to this EpiTrace server.' };
    case 'used':
      return {
        status: 410,
        title: 'Link already used',
        message: refusal.job ? 'This auto-fix link has already been used. The fix it started is shown below.' : 'This auto-fix link has already been used.',
      };
    case 'incident-missing':
      return { status: 404, title: 'Incident not found', message: 'The incident of this link no longer exists (its monitor may have been deleted).' };
    case 'fix-unavailable':
      return {
        status: 409,
        title: 'Auto-fix not available',
        message: `Auto-fix is not available for “${refusal.monitor.name}” any more: the monitor needs a repository link and an active GitHub token linked to it.`,
      };
  }
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · EpiTrace</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; max-width: 42rem; margin: 3rem auto; padding: 0 1rem; color: #1b1f24; }
  h1 { font-size: 1.4rem; } .muted { color: #57606a; } code { background: #f3f4f6; padding: 0 .25rem; border-radius: 3px; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; } dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
  button { font: inherit; padding: .6rem 1.2rem; border: 0; border-radius: 6px; background: #1f6feb; color: #fff; cursor: pointer; }
  .box { border: 1px solid #d0d7de; border-radius: 6px; padding: 1rem; margin: 1rem 0; } .error { color: #b42318; }
  ol { padding-left: 1.2rem; }
</style>
</head>
<body>
${body}
</body>
</html>`;
}

function jobBlock(job: FixJob, dashboardUrl: string): string {
  const steps = Object.entries(job.stepTimestamps ?? {})
    .sort(([, a], [, b]) => String(a).localeCompare(String(b)))
    .map(([step, at]) => `<li>${escapeHtml(STEP_LABELS[step as FixJobStatus] ?? step)} <span class="muted">${escapeHtml(at)}</span></li>`)
    .join('');
  const pr = job.prUrl ? `<dt>Pull request</dt><dd><a href="${escapeHtml(job.prUrl)}" rel="noopener noreferrer">${escapeHtml(job.prUrl)}</a></dd>` : '';
  const error = job.error && job.status === 'failed' ? `<dt>Error</dt><dd class="error">${escapeHtml(job.error)}</dd>` : '';
  return `<div class="box">
<dl>
<dt>Status</dt><dd><strong>${escapeHtml(STEP_LABELS[job.status] ?? job.status)}</strong></dd>
<dt>Fix job</dt><dd><code>${escapeHtml(job.id)}</code></dd>
${pr}${error}
</dl>
${steps ? `<ol>${steps}</ol>` : ''}
<p><a href="${escapeHtml(dashboardUrl)}">Follow the live log on the dashboard</a> (sign in as the monitor's owner).</p>
${job.status === 'failed' || job.status === 'no-change' ? '<p class="muted">To try again, start a new fix from the dashboard or with <code>POST /incidents/:id/fix</code>.</p>' : ''}
</div>`;
}

/** What a GET of the alert link shows: what would be fixed, and one button. Nothing starts until it is pressed. */
export function confirmationPage(preview: LinkPreview, token: string, actionPath: string, dashboardUrl: (jobId: string) => string): string {
  const { incident, monitor, latestJob } = preview;
  const summary = incident.analysis?.summary ? `<dt>Analysis</dt><dd>${escapeHtml(incident.analysis.summary)}</dd>` : '';
  const running = latestJob && latestJob.status !== 'failed' && latestJob.status !== 'no-change';
  return layout(
    'Start auto-fix?',
    `<h1>Start an auto-fix for “${escapeHtml(monitor.name)}”?</h1>
<p class="muted">Cline will work on a copy of <code>${escapeHtml(monitor.repoLink)}</code>, run its tests and open a <strong>draft pull request</strong> for a person to review. Nothing is merged.</p>
<div class="box"><dl>
<dt>Endpoint</dt><dd>${escapeHtml(monitor.method)} ${escapeHtml(monitor.url)}</dd>
<dt>Error</dt><dd>${escapeHtml(incident.cause ?? 'down')}${incident.statusCode ? ` (HTTP ${escapeHtml(incident.statusCode)})` : ''}</dd>
<dt>Down since</dt><dd>${escapeHtml(incident.openedAt.toISOString())}</dd>
${summary}
<dt>Link valid until</dt><dd>${escapeHtml(preview.expiresAt.toISOString())}</dd>
</dl></div>
${running ? `<p>A fix for this incident has already been started:</p>${jobBlock(latestJob, dashboardUrl(latestJob.id))}` : ''}
<form method="post" action="${escapeHtml(actionPath)}">
<input type="hidden" name="token" value="${escapeHtml(token)}">
<button type="submit">${running ? 'Show the fix job' : 'Start auto-fix'}</button>
</form>
<p class="muted">This link works once. Opening it (or a chat app previewing it) starts nothing; only the button does.</p>`,
  );
}

export function statusPage(job: FixJob, outcome: 'started' | 'existing', dashboardUrl: string): string {
  const heading = outcome === 'started' ? 'Auto-fix started' : 'A fix for this incident already exists';
  return layout(heading, `<h1>${escapeHtml(heading)}</h1>${jobBlock(job, dashboardUrl)}`);
}

export function refusalPage(text: RefusalText, job: FixJob | null, dashboardUrl: string | null): string {
  return layout(text.title, `<h1>${escapeHtml(text.title)}</h1><p>${escapeHtml(text.message)}</p>${job && dashboardUrl ? jobBlock(job, dashboardUrl) : ''}`);
}
