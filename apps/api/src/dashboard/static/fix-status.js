// Keeps the page an alert's auto-fix link leads to (/alert/trigger-agent) current without a reload:
// polls its fix job with the short-lived status token the page was rendered with, and stops once the
// job has finished. The page shows the state it was rendered with when this script does not run.
'use strict';

(function () {
  const POLL_MS = 3000;
  const MAX_RETRY_MS = 30000;

  const box = document.getElementById('fix-job');
  if (!box || !box.dataset.statusUrl || !box.dataset.statusToken) return;
  const url = box.dataset.statusUrl;
  let token = box.dataset.statusToken;
  let retryMs = POLL_MS;

  const field = (name) => box.querySelector(`[data-field="${name}"]`);
  const showField = (name, shown) => {
    for (const node of box.querySelectorAll(`[data-field="${name}"], [data-field="${name}-label"]`)) node.hidden = !shown;
  };
  const note = (text) => (field('live').textContent = text);

  function render(job) {
    field('status').textContent = job.status_label;
    field('steps').replaceChildren(
      ...job.steps.map((step) => {
        const item = document.createElement('li');
        const at = document.createElement('span');
        at.className = 'muted';
        at.textContent = step.at;
        item.append(`${step.label} `, at);
        return item;
      }),
    );
    // The api only sends http(s) addresses here.
    if (job.pr_url) {
      const link = document.createElement('a');
      link.href = job.pr_url;
      link.rel = 'noopener noreferrer';
      link.textContent = job.pr_url;
      field('pr').replaceChildren(link);
    }
    showField('pr', Boolean(job.pr_url));
    field('error').textContent = job.error || '';
    showField('error', Boolean(job.error));
    showField('retry', job.status === 'failed' || job.status === 'no-change');
  }

  function later(text) {
    note(text);
    setTimeout(poll, retryMs);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  }

  async function poll() {
    let res;
    try {
      res = await fetch(url, { headers: { Accept: 'application/json', 'X-Fix-Status-Token': token }, cache: 'no-store', credentials: 'omit' });
    } catch {
      return later('(connection lost, retrying…)');
    }
    const body = await res.json().catch(() => ({}));
    // The server is briefly unavailable: try again. Any other refusal (expired token, deleted job) is final.
    if (res.status >= 500 || res.status === 429) return later('(server unavailable, retrying…)');
    if (!res.ok || !body.data) return note(`(live updates stopped: ${body.error || `HTTP ${res.status}`}; reload or use the dashboard)`);
    render(body.data);
    if (body.data.finished) return note('');
    if (body.status_token) token = body.status_token.token;
    retryMs = POLL_MS;
    note('(updating live)');
    setTimeout(poll, POLL_MS);
  }

  note('(updating live)');
  setTimeout(poll, POLL_MS);
})();
