import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { FixJob } from '@epitrace/entities';
import { FIX_LINK_PATH } from '@epitrace/fix-links';
import { APP_CONFIG } from '@epitrace/nest-common';
import type { ApiConfig } from '../config/api.config';
import { presentFixJob } from './fix-job.presenter';
import { isFinished } from './fix-job-view';
import { fixStatusPath } from './fix-status.controller';
import { FixStatusTokens } from './fix-status-tokens';
import { confirmationPage, describeRefusal, type LiveStatus, refusalPage, statusPage } from './fix-trigger.pages';
import type { LinkPreview, LinkRefusal, StartedFix } from './fix-jobs.service';

/**
 * Answers the alert-link routes as a small HTML page for people, or JSON for API clients that
 * ask for it (`Accept: application/json`). The token is in the page's URL, so nothing may leak it
 * onwards (no referrer), cache it or index it; the button must not be framed (clickjacking). A
 * page showing a running job keeps itself current by polling with a fix status token.
 */
@Injectable()
export class FixTriggerResponder {
  constructor(
    @Inject(APP_CONFIG) private readonly config: ApiConfig,
    private readonly statusTokens: FixStatusTokens,
  ) {}

  confirm(req: Request, res: Response, preview: LinkPreview, token: string): void {
    this.secure(res);
    if (this.wantsJson(req)) {
      res.status(200).json({
        success: true,
        message: 'Valid auto-fix link. POST the same token to start the fix.',
        data: {
          incident_id: preview.incident.id,
          monitor: { id: preview.monitor.id, name: preview.monitor.name, url: preview.monitor.url, repo_link: preview.monitor.repoLink },
          expires_at: preview.expiresAt.toISOString(),
          latest_fix_job: preview.latestJob ? presentFixJob(preview.latestJob) : null,
          confirm: { method: 'POST', url: this.absolute(FIX_LINK_PATH), body: { token: '<the token of this link>' } },
        },
      });
      return;
    }
    res.status(200).type('html').send(confirmationPage(preview, token, FIX_LINK_PATH, (id) => this.dashboardUrl(id)));
  }

  started(req: Request, res: Response, result: StartedFix): void {
    this.secure(res);
    const status = result.outcome === 'started' ? 202 : 200;
    if (this.wantsJson(req)) {
      res.status(status).json({
        success: true,
        message: result.outcome === 'started' ? 'Auto-fix started' : 'A fix for this incident already exists',
        data: presentFixJob(result.job),
      });
      return;
    }
    res.status(status).type('html').send(statusPage(result.job, result.outcome, this.dashboardUrl(result.job.id), this.liveStatus(result.job)));
  }

  refuse(req: Request, res: Response, refusal: LinkRefusal): void {
    this.secure(res);
    const text = describeRefusal(refusal);
    const job = refusal.reason === 'used' ? refusal.job : null;
    if (this.wantsJson(req)) {
      res.status(text.status).json({ error: text.message, reason: refusal.reason, ...(job ? { fix_job: presentFixJob(job) } : {}) });
      return;
    }
    // A used link still proves its holder was sent this job's alert: the page they land on (e.g. by reloading the status page) stays live too.
    res.status(text.status).type('html').send(refusalPage(text, job, job ? this.dashboardUrl(job.id) : null, job ? this.liveStatus(job) : null));
  }

  private wantsJson(req: Request): boolean {
    return req.accepts(['html', 'json']) === 'json';
  }

  private secure(res: Response): void {
    res.set({
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Robots-Tag': 'noindex, nofollow',
      // The only script is the status page's poller, from this origin, talking to this origin.
      'Content-Security-Policy':
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    });
  }

  /** A running job's page polls its status with a short-lived token for that job alone; a finished job's page needs none. */
  private liveStatus(job: FixJob): LiveStatus | null {
    if (isFinished(job)) return null;
    return { url: fixStatusPath(job.id), token: this.statusTokens.issue(job.id).token };
  }

  private dashboardUrl(jobId: string): string {
    return `${this.absolute('/dashboard')}#job=${encodeURIComponent(jobId)}`;
  }

  private absolute(path: string): string {
    return `${this.config.PUBLIC_URL.replace(/\/+$/, '')}${path}`;
  }
}
