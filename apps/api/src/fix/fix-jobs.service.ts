import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Not } from 'typeorm';
import { FixJob, Incident, Monitor } from '@epitrace/entities';
import { FixLinkService } from '@epitrace/fix-links';
import { CodeJobProducer } from './code-job.producer';

/** Why an auto-fix link was not honoured; each has its own page and status code. */
export type LinkRefusal =
  | { reason: 'missing-token' }
  | { reason: 'invalid'; detail: string }
  | { reason: 'expired' }
  | { reason: 'unknown' }
  | { reason: 'used'; job: FixJob | null }
  | { reason: 'incident-missing' }
  | { reason: 'fix-unavailable'; monitor: Monitor };

export interface LinkPreview {
  incident: Incident;
  monitor: Monitor;
  expiresAt: Date;
  /** The incident's latest fix job, if one was started before. */
  latestJob: FixJob | null;
}

export interface StartedFix {
  /** `existing`: a job for the incident is already running or done, so that one is shown. */
  outcome: 'started' | 'existing';
  job: FixJob;
}

/** A fix job with the name of its monitor, for the read routes. */
export interface ListedFixJob {
  job: FixJob;
  monitorName: string | null;
}

const RETRYABLE_STATUSES = ['failed', 'no-change'] as const;

class LinkRefused extends Error {
  constructor(readonly refusal: LinkRefusal) {
    super(refusal.reason);
  }
}

const UNIQUE_VIOLATION = '23505';

/**
 * Starting auto-fix jobs: from a one-click alert link (single-use token) or from an authenticated
 * API call. At most one live job per incident (partial unique index); a job that failed or found
 * nothing to change can be followed by a new one. The queue message is sent after the commit.
 */
@Injectable()
export class FixJobsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly links: FixLinkService,
    private readonly producer: CodeJobProducer,
  ) {}

  /** Everything the confirmation page shows, without using the token (link-preview bots load it too). */
  async previewLink(token: string | undefined): Promise<{ preview: LinkPreview } | { refusal: LinkRefusal }> {
    if (!token) return { refusal: { reason: 'missing-token' } };
    const verified = await this.links.verifyFixToken(token);
    if (verified.status !== 'valid') return { refusal: await this.refusalFor(verified) };
    try {
      const { incident, monitor } = await this.fixableIncident(this.db.manager, verified.incidentId);
      return { preview: { incident, monitor, expiresAt: verified.expiresAt, latestJob: await this.latestJob(this.db.manager, incident.id) } };
    } catch (err) {
      if (err instanceof LinkRefused) return { refusal: err.refusal };
      throw err;
    }
  }

  /** Uses the token and starts (or shows) the incident's fix job. */
  async startFromLink(token: string | undefined): Promise<StartedFix | { refusal: LinkRefusal }> {
    if (!token) return { refusal: { reason: 'missing-token' } };
    try {
      return await this.start(async (manager) => {
        const claimed = await this.links.claimFixToken(token, new Date(), manager);
        if (claimed.status !== 'claimed') throw new LinkRefused(await this.refusalFor(claimed));
        return this.fixableIncident(manager, claimed.incidentId);
      });
    } catch (err) {
      if (err instanceof LinkRefused) return { refusal: err.refusal };
      throw err;
    }
  }

  /** `POST /incidents/:id/fix`: the owner asks explicitly, which also retries a failed job. */
  async startForUser(incidentId: string, userId: string): Promise<StartedFix> {
    try {
      return await this.start(async (manager) => {
        const incident = await manager.getRepository(Incident).findOneBy({ id: incidentId, userId });
        if (!incident) throw new NotFoundException('Incident not found');
        return this.fixableIncident(manager, incident.id);
      });
    } catch (err) {
      if (err instanceof LinkRefused) {
        if (err.refusal.reason === 'fix-unavailable') {
          throw new ConflictException('Auto-fix is not available for this monitor: it needs a repository link and an active GitHub token linked to it');
        }
        throw new NotFoundException('Incident not found');
      }
      throw err;
    }
  }

  async list(userId: string, page: { take: number; skip: number }, incidentId?: string): Promise<ListedFixJob[]> {
    const jobs = await this.db.getRepository(FixJob).find({
      where: { userId, ...(incidentId ? { incidentId } : {}) },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: page.take,
      skip: page.skip,
    });
    return this.withMonitorNames(userId, jobs);
  }

  async get(userId: string, id: string): Promise<ListedFixJob> {
    const job = await this.db.getRepository(FixJob).findOneBy({ id, userId });
    if (!job) throw new NotFoundException('Fix job not found');
    const [listed] = await this.withMonitorNames(userId, [job]);
    return listed;
  }

  /**
   * A job by id alone, whoever owns it: only for the status page, whose caller proved its right to
   * this one job with a fix status token. Everything else reads through `get`, scoped to the owner.
   */
  async getForStatusPage(id: string): Promise<FixJob> {
    const job = await this.db.getRepository(FixJob).findOneBy({ id });
    if (!job) throw new NotFoundException('Fix job not found');
    return job;
  }

  /** One query for the names, and only of the owner's monitors (a job's monitor is always its owner's). */
  private async withMonitorNames(userId: string, jobs: FixJob[]): Promise<ListedFixJob[]> {
    const monitorIds = [...new Set(jobs.map((job) => job.monitorId))];
    const monitors = monitorIds.length
      ? await this.db.getRepository(Monitor).find({ where: { id: In(monitorIds), userId }, select: { id: true, name: true } })
      : [];
    const names = new Map(monitors.map((monitor) => [monitor.id, monitor.name]));
    return jobs.map((job) => ({ job, monitorName: names.get(job.monitorId) ?? null }));
  }

  private async start(authorize: (manager: EntityManager) => Promise<{ incident: Incident; monitor: Monitor }>): Promise<StartedFix> {
    let result: StartedFix;
    let incidentId: string | undefined;
    try {
      result = await this.db.transaction(async (manager) => {
        const { incident } = await authorize(manager);
        incidentId = incident.id;
        const live = await manager.getRepository(FixJob).findOne({
          where: { incidentId: incident.id, status: Not(In([...RETRYABLE_STATUSES])) },
          order: { createdAt: 'DESC' },
        });
        if (live) return { outcome: 'existing' as const, job: live };
        const now = new Date().toISOString();
        const job = await manager.getRepository(FixJob).save({
          incidentId: incident.id,
          monitorId: incident.monitorId,
          userId: incident.userId,
          status: 'queued',
          stepTimestamps: { queued: now },
        });
        return { outcome: 'started' as const, job };
      });
    } catch (err) {
      // Two clicks raced past the check: the other one's job is the live one.
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION || !incidentId) throw err;
      const live = await this.db.getRepository(FixJob).findOne({
        where: { incidentId, status: Not(In([...RETRYABLE_STATUSES])) },
        order: { createdAt: 'DESC' },
      });
      if (!live) throw err;
      return { outcome: 'existing', job: live };
    }
    if (result.outcome === 'started') await this.producer.enqueue(result.job);
    return result;
  }

  private async fixableIncident(manager: EntityManager, incidentId: string): Promise<{ incident: Incident; monitor: Monitor }> {
    const incident = await manager.getRepository(Incident).findOneBy({ id: incidentId });
    if (!incident) throw new LinkRefused({ reason: 'incident-missing' });
    const monitor = await manager.getRepository(Monitor).findOneBy({ id: incident.monitorId });
    if (!monitor) throw new LinkRefused({ reason: 'incident-missing' });
    if (!(await this.links.isFixAvailable(monitor.id))) throw new LinkRefused({ reason: 'fix-unavailable', monitor });
    return { incident, monitor };
  }

  private latestJob(manager: EntityManager, incidentId: string): Promise<FixJob | null> {
    return manager.getRepository(FixJob).findOne({ where: { incidentId }, order: { createdAt: 'DESC' } });
  }

  private async refusalFor(status: Awaited<ReturnType<FixLinkService['verifyFixToken']>>): Promise<LinkRefusal> {
    switch (status.status) {
      case 'invalid':
        return { reason: 'invalid', detail: status.reason };
      case 'expired':
        return { reason: 'expired' };
      case 'unknown':
        return { reason: 'unknown' };
      case 'used':
        return { reason: 'used', job: await this.latestJob(this.db.manager, status.incidentId) };
      default:
        return { reason: 'invalid', detail: 'unexpected token state' };
    }
  }
}
