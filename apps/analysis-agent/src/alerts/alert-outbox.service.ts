import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AlertDelivery, Webhook, WebhookProvider } from '@epitrace/entities';
import { APP_CONFIG } from '@epitrace/nest-common';
import { SecretCipher, maskUrl, redactSecrets } from '@epitrace/secrets';
import type { AnalysisAgentConfig } from '../config/analysis-agent.config';
import { AlertContent } from './alert-content';
import { discordMessage } from './discord-message';
import { slackMessage } from './slack-message';
import { WebhookSender } from './webhook-sender';
import { alertDeliveriesTotal } from '@epitrace/metrics';

export interface DeliveryReport {
  sent: number;
  alreadySent: number;
  /** Claimed by another worker right now (a second replica, or a previous attempt still running). */
  busy: number;
  /** Failed but worth another try (the job should be retried). */
  retryable: string[];
  /** Failed for good (e.g. the webhook was deleted): reported, not retried forever. */
  rejected: string[];
}

/** Thrown so BullMQ retries the job: the deliveries that were sent stay sent and are skipped next time. */
export class AlertDeliveryIncompleteError extends Error {
  constructor(eventKey: string, failures: string[]) {
    super(`alert "${eventKey}" not delivered to ${failures.length} webhook(s): ${failures.join('; ')}`);
    this.name = 'AlertDeliveryIncompleteError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The alert outbox. One `alert_deliveries` row per (incident, event, webhook) — unique — is
 * claimed with a conditional UPDATE before posting and marked `sent` after, so a retried job or
 * a second replica never posts the same alert twice. The one unavoidable gap: a process dying
 * between Slack's 200 and our UPDATE leaves the row `sending`; it is claimed again once stale,
 * which can repeat that one message (at-least-once beats lost).
 */
@Injectable()
export class AlertOutbox {
  private readonly logger = new Logger(AlertOutbox.name);
  private readonly cipher: SecretCipher;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sender: WebhookSender,
    @Inject(APP_CONFIG) private readonly config: AnalysisAgentConfig,
  ) {
    this.cipher = new SecretCipher(config.ENCRYPTION_KEY);
  }

  /** Have all deliveries of this event to these webhooks gone out already? */
  async allSent(incidentId: string, eventKey: string, webhookIds: string[]): Promise<boolean> {
    if (!webhookIds.length) return true;
    const rows: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM alert_deliveries WHERE incident_id = $1 AND event_key = $2 AND webhook_id = ANY($3::uuid[]) AND status = 'sent'`,
      [incidentId, eventKey, webhookIds],
    );
    return Number(rows[0]?.n ?? 0) === webhookIds.length;
  }

  async deliver(incidentId: string, eventKey: string, webhooks: Webhook[], content: AlertContent): Promise<DeliveryReport> {
    const report: DeliveryReport = { sent: 0, alreadySent: 0, busy: 0, retryable: [], rejected: [] };
    if (!webhooks.length) return report;
    await this.dataSource.query(
      `INSERT INTO alert_deliveries (incident_id, event_key, webhook_id)
       SELECT $1, $2, w FROM unnest($3::uuid[]) AS w
       ON CONFLICT (incident_id, event_key, webhook_id) DO NOTHING`,
      [incidentId, eventKey, webhooks.map((w) => w.id)],
    );
    const rows = await this.dataSource.getRepository(AlertDelivery).find({ where: webhooks.map((w) => ({ incidentId, eventKey, webhookId: w.id })) });
    const byWebhook = new Map(rows.map((r) => [r.webhookId, r]));
    const rendered: Partial<Record<WebhookProvider, unknown>> = {};
    const render = (provider: WebhookProvider) => (rendered[provider] ??= provider === 'slack' ? slackMessage(content) : discordMessage(content));

    await Promise.all(
      webhooks.map(async (webhook) => {
        const row = byWebhook.get(webhook.id);
        if (!row) return;
        if (row.status === 'sent') {
          report.alreadySent++;
          return;
        }
        const outcome = await this.sendOne(row.id, webhook, render(webhook.provider));
        if (outcome.kind === 'sent') report.sent++;
        else if (outcome.kind === 'busy') report.busy++;
        else if (outcome.kind === 'rejected') report.rejected.push(`${webhook.provider} ${webhook.urlHint}: ${outcome.error}`);
        else report.retryable.push(`${webhook.provider} ${webhook.urlHint}: ${outcome.error}`);
      }),
    );
    for (const r of report.rejected) this.logger.warn({ incidentId, eventKey }, `alert ${eventKey} of incident ${incidentId} rejected by ${r}`);
    return report;
  }

  private async claim(deliveryId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `WITH claimed AS (
         UPDATE alert_deliveries SET status = 'sending', attempts = attempts + 1, updated_at = now()
          WHERE id = $1
            AND (status IN ('pending', 'failed')
                 OR (status = 'sending' AND updated_at < now() - ($2::int * interval '1 millisecond')))
          RETURNING id)
       SELECT id FROM claimed`,
      [deliveryId, this.config.WEBHOOK_STALE_SENDING_MS],
    );
    return rows.length === 1;
  }

  private async sendOne(deliveryId: string, webhook: Webhook, body: unknown): Promise<{ kind: 'sent' | 'busy' | 'rejected' | 'retry'; error?: string }> {
    if (!(await this.claim(deliveryId))) return { kind: 'busy' };
    let url: string;
    try {
      url = this.cipher.decrypt(webhook.urlCiphertext);
    } catch {
      return this.fail(deliveryId, 'rejected', 'the webhook URL cannot be decrypted (ENCRYPTION_KEY changed?)', 0);
    }
    const clean = (text: string) => redactSecrets(text, [url]).slice(0, 900);
    let lastError = '';
    let waitMs = 0;
    for (let attempt = 1; attempt <= this.config.WEBHOOK_MAX_ATTEMPTS; attempt++) {
      if (waitMs) await sleep(waitMs);
      const result = await this.sender.post(url, body, this.config.WEBHOOK_TIMEOUT_MS);
      if (result.kind === 'sent') {
        await this.dataSource.query(
          `UPDATE alert_deliveries SET status = 'sent', sent_at = now(), last_error = NULL, updated_at = now() WHERE id = $1 AND status = 'sending'`,
          [deliveryId],
        );
        this.logger.log({ deliveryId, webhookId: webhook.id, attempt }, `alert delivered to ${webhook.provider} ${maskUrl(url)} (attempt ${attempt})`);
        alertDeliveriesTotal.inc({ provider: webhook.provider, result: 'sent' });
        return { kind: 'sent' };
      }
      lastError = clean(result.error);
      alertDeliveriesTotal.inc({ provider: webhook.provider, result: result.kind === 'rejected' ? 'failed' : 'retry' });
      if (result.kind === 'rejected') return this.fail(deliveryId, 'rejected', lastError, 0);
      if (result.kind === 'rate-limited') {
        if (result.retryAfterMs > this.config.WEBHOOK_MAX_RETRY_AFTER_MS) return this.fail(deliveryId, 'retry', lastError, result.retryAfterMs);
        waitMs = result.retryAfterMs;
      } else {
        waitMs = this.config.WEBHOOK_RETRY_BASE_MS * 2 ** (attempt - 1);
      }
      this.logger.warn({ deliveryId, webhookId: webhook.id, attempt }, `alert to ${webhook.provider} ${maskUrl(url)} failed (attempt ${attempt}): ${lastError}`);
    }
    return this.fail(deliveryId, 'retry', lastError, waitMs);
  }

  private async fail(deliveryId: string, kind: 'retry' | 'rejected', error: string, retryInMs: number) {
    await this.dataSource.query(
      `UPDATE alert_deliveries SET status = 'failed', last_error = $2, next_attempt_at = now() + ($3::int * interval '1 millisecond'), updated_at = now()
        WHERE id = $1 AND status = 'sending'`,
      [deliveryId, `${kind === 'rejected' ? 'rejected: ' : ''}${error}`.slice(0, 1000), Math.min(retryInMs, 2_000_000_000)],
    );
    return { kind, error };
  }
}
