// EpiTrace dashboard: plain browser JavaScript against the API of the same origin.
'use strict';

(function () {
  const TOKEN_KEY = 'epitrace.token';
  const EMAIL_KEY = 'epitrace.email';
  const MAX_LOG_LINES = 5000;
  const REFRESH_MS = 30000;

  const $ = (id) => document.getElementById(id);
  /** The monitor and incident an alert's "view incident" link points at. */
  const linkParams = new URLSearchParams(location.search);
  const linked = { monitor: linkParams.get('monitor'), incident: linkParams.get('incident'), shown: false };
  const state = { token: sessionStorage.getItem(TOKEN_KEY), email: sessionStorage.getItem(EMAIL_KEY), selectedMonitor: null, refreshTimer: null };

  // ---- helpers ------------------------------------------------------------------------
  /** Reads a field whichever casing the API uses for it. */
  function pick(row, ...names) {
    for (const n of names) if (row && row[n] !== undefined && row[n] !== null) return row[n];
    return null;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  function timeAgo(value) {
    if (!value) return 'never';
    const seconds = Math.round((Date.now() - new Date(value).getTime()) / 1000);
    if (seconds < 60) return `${Math.max(seconds, 0)} s ago`;
    if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
    if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
    return new Date(value).toLocaleString();
  }

  function safeHttpUrl(value) {
    try {
      const u = new URL(value);
      return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
    } catch {
      return null;
    }
  }

  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path, options = {}) {
    const headers = { Accept: 'application/json', ...(options.body ? { 'Content-Type': 'application/json' } : {}) };
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    const res = await fetch(path, { ...options, headers, body: options.body ? JSON.stringify(options.body) : undefined });
    const body = await res.json().catch(() => ({}));
    if (res.status === 401 && state.token && !options.noLogout) {
      logout('Your session has expired; please sign in again.');
      throw new HttpError(401, 'signed out');
    }
    if (!res.ok) throw new HttpError(res.status, body.error || body.message || (body.errors && body.errors.map((e) => e.message).join('; ')) || `HTTP ${res.status}`);
    return body;
  }

  // ---- session ------------------------------------------------------------------------
  function showLogin(message) {
    $('app-view').hidden = true;
    $('session').hidden = true;
    $('login-view').hidden = false;
    const err = $('login-error');
    err.hidden = !message;
    err.textContent = message || '';
    $('login-email').focus();
  }

  function showApp() {
    $('login-view').hidden = true;
    $('app-view').hidden = false;
    $('session').hidden = false;
    $('session-email').textContent = state.email || '';
    refreshAll();
    clearInterval(state.refreshTimer);
    state.refreshTimer = setInterval(refreshAll, REFRESH_MS);
    const job = /job=([0-9a-f-]{36})/i.exec(location.hash);
    if (job) logs.follow(job[1]);
  }

  function logout(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(EMAIL_KEY);
    state.token = null;
    clearInterval(state.refreshTimer);
    logs.stop();
    showLogin(message);
  }

  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = $('login-submit');
    button.disabled = true;
    try {
      const body = await api('/auth/login', { method: 'POST', body: { email: $('login-email').value.trim(), password: $('login-password').value }, noLogout: true });
      state.token = body.token;
      state.email = (body.user && body.user.email) || $('login-email').value.trim();
      sessionStorage.setItem(TOKEN_KEY, state.token);
      sessionStorage.setItem(EMAIL_KEY, state.email);
      $('login-password').value = '';
      showApp();
    } catch (err) {
      showLogin(err.status === 401 ? 'Wrong email or password.' : `Could not sign in: ${err.message}`);
    } finally {
      button.disabled = false;
    }
  });
  $('logout').addEventListener('click', () => logout());
  $('refresh').addEventListener('click', () => refreshAll());

  function refreshAll() {
    loadMonitors();
    loadFixJobs();
    if (state.selectedMonitor) loadIncidents(state.selectedMonitor);
  }

  // ---- monitors -----------------------------------------------------------------------
  /** Uptime over the last 24 h from the stats route; computed from recent checks where that route is missing. */
  async function uptimeOf(monitor) {
    try {
      const stats = await api(`/monitor/${monitor.id}/stats?window=24h`);
      return stats.data ? stats.data.uptime_percent : null;
    } catch (err) {
      if (err.status !== 404) return null;
    }
    try {
      const history = await api(`/monitor/${monitor.id}/history?limit=200`);
      const checks = history.data || [];
      if (!checks.length) return null;
      return (100 * checks.filter((c) => c.status === 'UP').length) / checks.length;
    } catch {
      return null;
    }
  }

  async function loadMonitors() {
    let rows;
    try {
      rows = (await api('/monitor?limit=200')).data || [];
    } catch (err) {
      if (err.status !== 401) $('monitors-empty').textContent = `Could not load monitors: ${err.message}`;
      $('monitors-empty').hidden = false;
      return;
    }
    $('monitors-empty').hidden = rows.length > 0;
    $('monitors-table').hidden = rows.length === 0;
    // Open on the monitor an alert linked to (?monitor=…&incident=…), else the one that most needs attention.
    if (!state.selectedMonitor && rows.length) {
      selectMonitor(rows.find((m) => m.id === linked.monitor) || rows.find((m) => m.status === 'DOWN') || rows[0]);
    }
    const tbody = $('monitors');
    tbody.replaceChildren(
      ...rows.map((m) => {
        const active = pick(m, 'is_active', 'isActive');
        const status = active === false ? 'PAUSED' : m.status || 'PENDING';
        const uptimeCell = el('td', { class: 'uptime' }, '…');
        uptimeOf(m).then((u) => (uptimeCell.textContent = typeof u === 'number' ? `${u.toFixed(u === 100 ? 0 : 2)} % (24 h)` : '—'));
        const row = el(
          'tr',
          { class: `selectable${state.selectedMonitor === m.id ? ' selected' : ''}`, 'data-monitor-id': m.id, tabindex: 0, onclick: () => selectMonitor(m) },
          el('td', {}, el('span', { class: `badge ${status.toLowerCase()}` }, status)),
          el('td', {}, el('div', { class: 'name' }, m.name), el('div', { class: 'url' }, `${m.method || 'GET'} ${m.url}`)),
          uptimeCell,
          el('td', { class: 'small' }, timeAgo(pick(m, 'last_checked_at', 'lastCheckedAt'))),
        );
        row.addEventListener('keydown', (e) => e.key === 'Enter' && selectMonitor(m));
        return row;
      }),
    );
  }

  function selectMonitor(monitor) {
    state.selectedMonitor = monitor.id;
    state.selectedMonitorName = monitor.name;
    for (const row of document.querySelectorAll('#monitors tr')) row.classList.toggle('selected', row.dataset.monitorId === monitor.id);
    $('incidents-for').textContent = monitor.name;
    loadIncidents(monitor.id);
  }

  // ---- incidents ----------------------------------------------------------------------
  function analysisBlock(incident) {
    const status = pick(incident, 'analysis_status', 'analysisStatus');
    const analysis = incident.analysis;
    if (!analysis) {
      const text = { pending: 'Analysis queued…', running: 'Cline is analysing this incident…', failed: 'The analysis failed.', timed_out: 'The analysis timed out.', skipped: 'No analysis (no repository configured).' }[status];
      const why = pick(incident, 'analysis_error', 'analysisError');
      return el('div', { class: 'analysis muted' }, text || 'No analysis yet.', why ? ` ${why}` : '');
    }
    const section = (title, value) => {
      if (!value || (Array.isArray(value) && !value.length)) return null;
      return [el('h4', {}, title), Array.isArray(value) ? el('ul', {}, value.map((v) => el('li', {}, v))) : el('p', {}, value)];
    };
    if (analysis.raw && !analysis.summary) return el('div', { class: 'analysis' }, section('Analysis', analysis.raw));
    return el(
      'div',
      { class: 'analysis' },
      section('Summary', analysis.summary),
      section('Root cause', analysis.root_cause),
      section('Evidence', analysis.evidence),
      section('Suspected files', analysis.suspected_files),
      section('Proposed fix', analysis.proposed_fix),
      section('Confidence', analysis.confidence),
    );
  }

  async function loadIncidents(monitorId) {
    const list = $('incidents');
    const empty = $('incidents-empty');
    let rows;
    try {
      rows = (await api(`/monitor/${monitorId}/incidents?limit=20`)).data || [];
    } catch (err) {
      list.replaceChildren();
      empty.hidden = false;
      empty.textContent = err.status === 404 ? 'Incidents are not available for this monitor.' : `Could not load incidents: ${err.message}`;
      return;
    }
    if (state.selectedMonitor !== monitorId) return;
    empty.hidden = rows.length > 0;
    empty.textContent = 'No incidents: this monitor has not been down.';
    list.replaceChildren(
      ...rows.map((i) => {
        const opened = pick(i, 'opened_at', 'openedAt');
        const resolved = pick(i, 'resolved_at', 'resolvedAt');
        const code = pick(i, 'status_code', 'statusCode');
        return el(
          'li',
          { class: `incident${i.id === linked.incident ? ' linked' : ''}`, id: `incident-${i.id}` },
          el(
            'div',
            { class: 'incident-head' },
            el('span', { class: `badge ${i.state}` }, i.state === 'open' ? 'OPEN' : 'RESOLVED'),
            el('span', { class: 'small muted' }, `opened ${timeAgo(opened)}${resolved ? `, resolved ${timeAgo(resolved)}` : ''}`),
          ),
          el('div', { class: 'cause' }, i.cause || 'Down', code ? ` (HTTP ${code})` : ''),
          analysisBlock(i),
        );
      }),
    );
    const target = linked.incident && document.getElementById(`incident-${linked.incident}`);
    if (target && !linked.shown) {
      linked.shown = true;
      target.scrollIntoView({ block: 'center' });
    }
  }

  // ---- fix jobs -----------------------------------------------------------------------
  /** The same address an alert's "view incident" link has, so it can be opened in a new tab or shared. */
  function incidentHref(monitorId, incidentId) {
    return `/dashboard?${new URLSearchParams({ monitor: monitorId, incident: incidentId })}`;
  }

  /** Opens a fix job's incident in place: selects its monitor and scrolls to the incident, as an alert link does. */
  function showIncident(event, monitor, incidentId) {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    linked.monitor = monitor.id;
    linked.incident = incidentId;
    linked.shown = false;
    history.replaceState(null, '', `${incidentHref(monitor.id, incidentId)}${location.hash}`);
    selectMonitor(monitor);
  }

  async function loadFixJobs() {
    let rows;
    try {
      rows = (await api('/fix-jobs?limit=50')).data || [];
    } catch (err) {
      $('fixjobs-empty').hidden = false;
      $('fixjobs-table').hidden = true;
      if (err.status !== 401) $('fixjobs-empty').textContent = err.status === 404 ? 'Auto-fix jobs are not available on this server.' : `Could not load auto-fix jobs: ${err.message}`;
      return;
    }
    $('fixjobs-empty').hidden = rows.length > 0;
    $('fixjobs-table').hidden = rows.length === 0;
    $('fixjobs').replaceChildren(
      ...rows.map((j) => {
        const prUrl = safeHttpUrl(pick(j, 'pr_url', 'prUrl'));
        const prNumber = pick(j, 'pr_number', 'prNumber');
        const error = j.error;
        const statusClass = j.status === 'done' || j.status === 'failed' || j.status === 'no-change' ? j.status : 'running';
        const monitor = { id: pick(j, 'monitor_id', 'monitorId'), name: pick(j, 'monitor_name', 'monitorName') || 'Unnamed monitor' };
        const incidentId = pick(j, 'incident_id', 'incidentId');
        return el(
          'tr',
          { 'data-job-id': j.id },
          el('td', {}, el('a', { class: 'name monitor-link', href: incidentHref(monitor.id, incidentId), title: 'Show the incident', onclick: (event) => showIncident(event, monitor, incidentId) }, monitor.name)),
          el('td', {}, el('span', { class: `badge ${statusClass}` }, j.status), error ? el('div', { class: 'small error' }, error) : null),
          el('td', { class: 'small' }, timeAgo(pick(j, 'created_at', 'createdAt'))),
          el('td', {}, prUrl ? el('a', { href: prUrl, target: '_blank', rel: 'noopener noreferrer' }, prNumber ? `#${prNumber}` : 'Open PR') : el('span', { class: 'muted small' }, '—')),
          el('td', {}, el('button', { type: 'button', class: 'secondary', onclick: () => logs.follow(j.id) }, 'Watch log')),
        );
      }),
    );
  }

  // ---- live log -----------------------------------------------------------------------
  /** Follows a job over SSE; reconnects with a fresh stream token and resumes after the last id it showed. */
  const logs = {
    source: null,
    jobId: null,
    lastEventId: null,
    retryTimer: null,
    backoffMs: 1000,
    generation: 0,

    follow(jobId) {
      this.stop();
      this.jobId = jobId;
      this.lastEventId = null;
      this.backoffMs = 1000;
      $('log').replaceChildren();
      $('log-job').textContent = jobId ? `Job ${jobId}` : 'All your jobs';
      if (jobId) history.replaceState(null, '', `#job=${jobId}`);
      this.connect(++this.generation);
    },

    stop() {
      this.generation++;
      clearTimeout(this.retryTimer);
      if (this.source) this.source.close();
      this.source = null;
      setConn('idle', 'not following a job');
    },

    async connect(generation) {
      if (generation !== this.generation) return;
      let token;
      try {
        token = (await api('/logs/code-worker/stream-token', { method: 'POST' })).data.token;
      } catch (err) {
        if (err.status === 401) return;
        if (err.status === 404) return setConn('error', 'log streaming is not available');
        return this.retry(generation);
      }
      if (generation !== this.generation) return;
      const params = new URLSearchParams({ token });
      if (this.jobId) params.set('jobId', this.jobId);
      if (this.lastEventId) params.set('lastEventId', this.lastEventId);
      const source = new EventSource(`/logs/code-worker/stream?${params}`);
      this.source = source;
      source.addEventListener('connected', () => {
        this.backoffMs = 1000;
        setConn('live', 'live');
      });
      source.addEventListener('heartbeat', () => setConn('live', 'live'));
      source.addEventListener('log', (event) => {
        this.lastEventId = event.lastEventId || this.lastEventId;
        try {
          appendLine(JSON.parse(event.data));
        } catch {
          /* a malformed event is skipped, the stream goes on */
        }
      });
      source.onerror = () => {
        // The token in the URL is short-lived, so we reconnect ourselves with a new one.
        source.close();
        if (generation === this.generation) this.retry(generation);
      };
    },

    retry(generation) {
      setConn('reconnecting', 'reconnecting…');
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.connect(generation), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, 15000);
    },
  };

  function setConn(stateName, text) {
    const conn = $('conn');
    conn.dataset.state = stateName;
    conn.textContent = text;
  }

  function appendLine(entry) {
    const box = $('log');
    const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    const time = entry.ts ? new Date(entry.ts).toLocaleTimeString() : '';
    const where = [entry.stage, entry.category].filter(Boolean).join('/');
    box.append(
      el(
        'div',
        { class: 'line', 'data-id': entry.id },
        el('span', { class: 'ts' }, time, ' '),
        el('span', { class: `lvl ${entry.level}` }, String(entry.level || 'info').toUpperCase()),
        where ? el('span', { class: 'stage' }, `[${where}] `) : null,
        entry.message,
      ),
    );
    while (box.childElementCount > MAX_LOG_LINES) box.firstElementChild.remove();
    if ($('autoscroll').checked && nearBottom) box.scrollTop = box.scrollHeight;
  }

  $('follow-all').addEventListener('click', () => {
    history.replaceState(null, '', '#');
    logs.follow(null);
  });
  $('clear-log').addEventListener('click', () => $('log').replaceChildren());
  window.addEventListener('hashchange', () => {
    const job = /job=([0-9a-f-]{36})/i.exec(location.hash);
    if (job && state.token && job[1] !== logs.jobId) logs.follow(job[1]);
  });

  if (state.token) showApp();
  else showLogin();
})();
