import type { FixJob } from '@epitrace/entities';
import { isFinished, mayBeRetried, pullRequestUrl, statusLabel, stepsOf } from './fix-job-view';
import type { LinkPreview, LinkRefusal } from './fix-jobs.service';

/** Where a status page polls its job's state, and the short-lived token that lets it (see FixStatusTokens). */
export interface LiveStatus {
  url: string;
  token: string;
}

/** The dashboard serves this script; it keeps a status page current (the page works without it). */
export const FIX_STATUS_SCRIPT_PATH = '/dashboard/fix-status.js';

const escapeHtml = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

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
  ol { padding-left: 1.2rem; } [hidden] { display: none; }
</style>
</head>
<body>
${body}
</body>
</html>`;
}

/**
 * The job as it is now. With `live` (a job still running), the page also loads a script that
 * polls the job and rewrites the `data-field` parts until it has finished; without JavaScript the
 * page simply shows the state it was rendered with.
 */
function jobBlock(job: FixJob, dashboardUrl: string, live: LiveStatus | null = null): string {
  const steps = stepsOf(job)
    .map((step) => `<li>${escapeHtml(step.label)} <span class="muted">${escapeHtml(step.at)}</span></li>`)
    .join('');
  const prUrl = pullRequestUrl(job);
  const pr = prUrl ? `<a href="${escapeHtml(prUrl)}" rel="noopener noreferrer">${escapeHtml(prUrl)}</a>` : '';
  const error = job.error && job.status === 'failed' ? escapeHtml(job.error) : '';
  const hiddenUnless = (shown: unknown) => (shown ? '' : ' hidden');
  const liveAttributes = live && !isFinished(job) ? ` data-status-url="${escapeHtml(live.url)}" data-status-token="${escapeHtml(live.token)}"` : '';
  return `<div class="box" id="fix-job"${liveAttributes}>
<dl>
<dt>Status</dt><dd><strong data-field="status">${escapeHtml(statusLabel(job.status))}</strong> <span class="muted" data-field="live"></span></dd>
<dt>Fix job</dt><dd><code>${escapeHtml(job.id)}</code></dd>
<dt data-field="pr-label"${hiddenUnless(pr)}>Pull request</dt><dd data-field="pr"${hiddenUnless(pr)}>${pr}</dd>
<dt data-field="error-label"${hiddenUnless(error)}>Error</dt><dd class="error" data-field="error"${hiddenUnless(error)}>${error}</dd>
</dl>
<ol data-field="steps">${steps}</ol>
<p><a href="${escapeHtml(dashboardUrl)}">Follow the live log on the dashboard</a> (sign in as the monitor's owner).</p>
<p class="muted" data-field="retry"${hiddenUnless(mayBeRetried(job))}>To try again, start a new fix from the dashboard or with <code>POST /incidents/:id/fix</code>.</p>
</div>${liveAttributes ? `\n<script src="${FIX_STATUS_SCRIPT_PATH}" defer></script>` : ''}`;
}

/** What a GET of the alert link shows: what would be fixed, and one button. Nothing starts until it is pressed. */
export function confirmationPage(preview: LinkPreview, token: string, actionPath: string, dashboardUrl: (jobId: string) => string): string {
  const { incident, monitor, latestJob } = preview;
  const summary = incident.analysis?.summary ? `<dt>Analysis</dt><dd>${escapeHtml(incident.analysis.summary)}</dd>` : '';
  const running = latestJob && !mayBeRetried(latestJob);
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

export function statusPage(job: FixJob, outcome: 'started' | 'existing', dashboardUrl: string, live: LiveStatus | null): string {
  const heading = outcome === 'started' ? 'Auto-fix started' : 'A fix for this incident already exists';
  return layout(heading, `<h1>${escapeHtml(heading)}</h1>${jobBlock(job, dashboardUrl, live)}`);
}

export function refusalPage(text: RefusalText, job: FixJob | null, dashboardUrl: string | null, live: LiveStatus | null): string {
  return layout(text.title, `<h1>${escapeHtml(text.title)}</h1><p>${escapeHtml(text.message)}</p>${job && dashboardUrl ? jobBlock(job, dashboardUrl, live) : ''}`);
}
