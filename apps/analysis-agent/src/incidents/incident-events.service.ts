import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { FIX_JOB_FINAL_STATUSES, FixJob, Incident, Monitor, Webhook } from '@epitrace/entities';
import { FixLinkService } from '@epitrace/fix-links';
import { APP_CONFIG, addLogIds, withLogIds } from '@epitrace/nest-common';
import type { AnalysisAgentConfig } from '../config/analysis-agent.config';
import { AnalysisOutcome, IncidentAnalyzer } from '../analysis/incident-analyzer.service';
import { analysisFollowUp, downAlert, fixFinishedAlert, recoveredAlert } from '../alerts/alert-composer';
import { AlertDeliveryIncompleteError, AlertOutbox, DeliveryReport } from '../alerts/alert-outbox.service';
import { AlertRecipients } from '../alerts/alert-recipients';

/** Outbox event keys: part of the alert_deliveries unique key, never renamed. */
export const ALERT_EVENTS = {
  down: 'down',
  analysis: 'analysis',
  recovered: 'recovered',
  fix: (fixJobId: string) => `fix:${fixJobId}`,
} as const;

const TERMINAL_ANALYSIS = new Set(['completed', 'failed', 'timed_out', 'skipped']);

export type EventResult = 'alerted' | 'nothing-to-do' | 'incident-gone';

/**
 * What happens when an incident opens, resolves or gets a fix. The alert never waits on the AI
 * longer than ALERT_ANALYSIS_BUDGET_MS and is never lost to it: without an analysis it goes out
 * marked "analysis unavailable", and a follow-up carries the analysis when it lands later.
 */
@Injectable()
export class IncidentEventsService {
  private readonly logger = new Logger(IncidentEventsService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly analyzer: IncidentAnalyzer,
    private readonly outbox: AlertOutbox,
    private readonly recipients: AlertRecipients,
    private readonly fixLinks: FixLinkService,
    @Inject(APP_CONFIG) private readonly config: AnalysisAgentConfig,
  ) {}

  monitorDown(incidentId: string): Promise<EventResult> {
    return withLogIds({ incidentId }, () => this.alertDown(incidentId));
  }

  monitorRecovered(incidentId: string): Promise<EventResult> {
    return withLogIds({ incidentId }, () => this.alertRecovered(incidentId));
  }

  fixFinished(incidentId: string, fixJobId: string): Promise<EventResult> {
    return withLogIds({ incidentId, fixJobId }, () => this.alertFixFinished(incidentId, fixJobId));
  }

  private async alertDown(incidentId: string): Promise<EventResult> {
    const loaded = await this.load(incidentId);
    if (!loaded) return 'incident-gone';
    const { incident, monitor } = loaded;
    const webhooks = await this.recipients.forMonitor(monitor);
    const ids = webhooks.map((w) => w.id);
    const downAlreadySent = await this.outbox.allSent(incident.id, ALERT_EVENTS.down, ids);

    const analysis: Promise<AnalysisOutcome> = TERMINAL_ANALYSIS.has(incident.analysisStatus)
      ? Promise.resolve({ status: incident.analysisStatus as AnalysisOutcome['status'], analysis: incident.analysis ?? undefined, error: incident.analysisError ?? undefined })
      : this.analyzer.analyze(incident, monitor);
    // The job may end (e.g. a failed delivery) before the analysis does; its failure must not go unhandled.
    analysis.catch((err: Error) => this.logger.error({ incidentId: incident.id, monitorId: monitor.id, err: err.message }, `analysis of incident ${incident.id} failed to record: ${err.message}`));
    const budgetMs = this.config.ALERT_ANALYSIS_BUDGET_MS;
    let budgetTimer: NodeJS.Timeout | undefined;
    const early = await Promise.race([analysis, new Promise<undefined>((r) => (budgetTimer = setTimeout(() => r(undefined), budgetMs)))]);
    clearTimeout(budgetTimer);

    const fixUrl = webhooks.length ? await this.fixUrlFor(incident, monitor) : undefined;
    let down: DeliveryReport | undefined;
    if (!downAlreadySent) {
      const note = early ? unavailableNote(early) : `analysis unavailable: still running after ${Math.round(budgetMs / 1000)} s; it will follow in a separate message`;
      down = await this.outbox.deliver(incident.id, ALERT_EVENTS.down, webhooks, downAlert({ monitor, incident, analysis: early?.analysis, analysisNote: note, fixUrl, publicUrl: this.config.PUBLIC_URL }));
    }

    const analysisWasLate = early === undefined || (downAlreadySent && !TERMINAL_ANALYSIS.has(incident.analysisStatus));
    if (analysisWasLate) {
      const final = await analysis;
      if (down?.retryable.length) {
        // The alert has not gone out yet: send it now, with whatever the analysis produced.
        down = await this.outbox.deliver(incident.id, ALERT_EVENTS.down, webhooks, downAlert({ monitor, incident, analysis: final.analysis, analysisNote: unavailableNote(final), fixUrl, publicUrl: this.config.PUBLIC_URL }));
      } else if (final.analysis) {
        const followUp = await this.outbox.deliver(incident.id, ALERT_EVENTS.analysis, webhooks, analysisFollowUp({ monitor, incident, analysis: final.analysis, fixUrl, publicUrl: this.config.PUBLIC_URL }));
        if (followUp.retryable.length) throw new AlertDeliveryIncompleteError(ALERT_EVENTS.analysis, followUp.retryable);
      }
    }
    if (down?.retryable.length) throw new AlertDeliveryIncompleteError(ALERT_EVENTS.down, down.retryable);
    if (!webhooks.length) this.logger.warn({ incidentId: incident.id, monitorId: monitor.id }, `incident ${incident.id}: no active webhook to alert (monitor ${monitor.id})`);
    return webhooks.length ? 'alerted' : 'nothing-to-do';
  }

  private async alertRecovered(incidentId: string): Promise<EventResult> {
    const loaded = await this.load(incidentId);
    if (!loaded) return 'incident-gone';
    const webhooks = await this.recipients.forMonitor(loaded.monitor);
    const report = await this.outbox.deliver(loaded.incident.id, ALERT_EVENTS.recovered, webhooks, recoveredAlert({ ...loaded, publicUrl: this.config.PUBLIC_URL }));
    if (report.retryable.length) throw new AlertDeliveryIncompleteError(ALERT_EVENTS.recovered, report.retryable);
    return webhooks.length ? 'alerted' : 'nothing-to-do';
  }

  private async alertFixFinished(incidentId: string, fixJobId: string): Promise<EventResult> {
    const loaded = await this.load(incidentId);
    if (!loaded) return 'incident-gone';
    const fixJob = await this.dataSource.getRepository(FixJob).findOne({ where: { id: fixJobId, incidentId } });
    if (!fixJob || !FIX_JOB_FINAL_STATUSES.includes(fixJob.status)) {
      this.logger.warn({ incidentId, fixJobId, monitorId: loaded.monitor.id }, `fix-finished for fix job ${fixJobId} which is ${fixJob ? `still ${fixJob.status}` : 'missing'}; nothing sent`);
      return 'nothing-to-do';
    }
    const webhooks = await this.recipients.forMonitor(loaded.monitor);
    const key = ALERT_EVENTS.fix(fixJobId);
    const report = await this.outbox.deliver(loaded.incident.id, key, webhooks, fixFinishedAlert({ ...loaded, fixJob, publicUrl: this.config.PUBLIC_URL }));
    if (report.retryable.length) throw new AlertDeliveryIncompleteError(key, report.retryable);
    return webhooks.length ? 'alerted' : 'nothing-to-do';
  }

  private async load(incidentId: string): Promise<{ incident: Incident; monitor: Monitor } | undefined> {
    const incident = await this.dataSource.getRepository(Incident).findOne({ where: { id: incidentId } });
    const monitor = incident && (await this.dataSource.getRepository(Monitor).findOne({ where: { id: incident.monitorId } }));
    if (!incident || !monitor) {
      this.logger.warn({ incidentId }, `incident ${incidentId} (or its monitor) no longer exists; nothing to alert`);
      return undefined;
    }
    addLogIds({ monitorId: monitor.id });
    return { incident, monitor };
  }

  /** The incident's live auto-fix link (the same one across job retries); only when a fix can actually run. */
  private async fixUrlFor(incident: Incident, monitor: Monitor): Promise<string | undefined> {
    if (!(await this.fixLinks.isFixAvailable(monitor.id))) return undefined;
    return (await this.fixLinks.currentOrNewFixLink(incident.id)).url;
  }
}

function unavailableNote(outcome: AnalysisOutcome): string | undefined {
  if (outcome.analysis) return undefined;
  return `analysis unavailable: ${outcome.error ?? outcome.status}`;
}

export type { Webhook };
