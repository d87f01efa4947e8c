import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Not, Repository } from 'typeorm';
import { MonitorWebhook, Webhook, WebhookProvider } from '@epitrace/entities';
import { APP_CONFIG } from '@epitrace/nest-common';
import { maskUrl, SecretCipher, sha256Hex } from '@epitrace/secrets';
import { pageOf, PaginationQueryDto } from '../common/pagination.dto';
import { validationFailure } from '../common/request-validation.exception';
import type { ApiConfig } from '../config/api.config';
import { MonitorsService } from '../monitors/monitors.service';
import type { CreateWebhookRequestDto, MonitorWebhookResponseDto, UpdateWebhookRequestDto, WebhookResponseDto } from './webhook.dto';
import { webhookUrlProblem } from './webhook-url.policy';

export const WEBHOOK_NOT_FOUND = 'Webhook not found';
const DUPLICATE = 'A webhook with this URL already exists for this provider';

function toRow(w: Webhook): WebhookResponseDto {
  return {
    id: w.id,
    user_id: w.userId,
    provider: w.provider,
    webhook_url: w.urlHint,
    is_active: w.isActive,
    created_at: w.createdAt,
    updated_at: w.updatedAt,
  };
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { driverError?: { code?: string } }).driverError?.code === '23505';
}

/** Slack/Discord webhooks of one user. The URL is a credential: stored encrypted, shown masked. */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectRepository(Webhook) private readonly webhooks: Repository<Webhook>,
    @InjectRepository(MonitorWebhook) private readonly links: Repository<MonitorWebhook>,
    private readonly monitors: MonitorsService,
    private readonly cipher: SecretCipher,
    @Inject(APP_CONFIG) private readonly config: ApiConfig,
  ) {}

  async create(userId: string, dto: CreateWebhookRequestDto): Promise<WebhookResponseDto> {
    const url = this.checkedUrl(dto.provider, dto.webhook_url);
    const urlHash = sha256Hex(url);
    if (await this.webhooks.existsBy({ userId, provider: dto.provider, urlHash })) throw new ConflictException(DUPLICATE);
    try {
      const saved = await this.webhooks.save(
        this.webhooks.create({ userId, provider: dto.provider, urlCiphertext: this.cipher.encrypt(url), urlHash, urlHint: maskUrl(url), isActive: true }),
      );
      return toRow(saved);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictException(DUPLICATE);
      throw err;
    }
  }

  /** Active webhooks only, newest first. */
  async listActive(userId: string, query: PaginationQueryDto): Promise<WebhookResponseDto[]> {
    const { take, skip } = pageOf(query);
    const rows = await this.webhooks.find({ where: { userId, isActive: true }, order: { createdAt: 'DESC', id: 'DESC' }, take, skip });
    return rows.map(toRow);
  }

  async get(userId: string, id: string): Promise<WebhookResponseDto> {
    return toRow(await this.findOwned(userId, id));
  }

  async update(userId: string, id: string, dto: UpdateWebhookRequestDto): Promise<WebhookResponseDto> {
    if (dto.provider === undefined && dto.webhook_url === undefined && dto.is_active === undefined) {
      throw validationFailure('at least one of provider, webhook_url, is_active is required');
    }
    for (const key of ['provider', 'webhook_url', 'is_active'] as const) {
      if (dto[key] === null) throw validationFailure(`${key} cannot be null`, [key]);
    }
    const webhook = await this.findOwned(userId, id);
    const provider = dto.provider ?? webhook.provider;
    // Changing only the provider must still satisfy that provider's URL rules.
    const url = this.checkedUrl(provider, dto.webhook_url ?? this.storedUrl(webhook));
    const urlHash = sha256Hex(url);
    if (await this.webhooks.existsBy({ userId, provider, urlHash, id: Not(id) })) throw new ConflictException(DUPLICATE);
    const changes: Partial<Webhook> = { provider, isActive: dto.is_active ?? webhook.isActive };
    if (dto.webhook_url !== undefined) Object.assign(changes, { urlCiphertext: this.cipher.encrypt(url), urlHash, urlHint: maskUrl(url) });
    try {
      await this.webhooks.update({ id, userId }, changes);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictException(DUPLICATE);
      throw err;
    }
    return toRow(await this.findOwned(userId, id));
  }

  async remove(userId: string, id: string): Promise<void> {
    const result = await this.webhooks.delete({ id, userId });
    if (!result.affected) throw new NotFoundException(WEBHOOK_NOT_FOUND);
  }

  async link(userId: string, monitorId: string, webhookId: string): Promise<MonitorWebhookResponseDto> {
    await this.monitors.findOwned(userId, monitorId);
    await this.findOwned(userId, webhookId);
    if (await this.links.existsBy({ monitorId, webhookId })) throw new ConflictException('Webhook already linked to this monitor');
    try {
      const link = await this.links.save(this.links.create({ monitorId, webhookId }));
      return { id: link.id, monitor_id: link.monitorId, webhook_id: link.webhookId, created_at: link.createdAt };
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictException('Webhook already linked to this monitor');
      throw err;
    }
  }

  async unlink(userId: string, monitorId: string, webhookId: string): Promise<void> {
    await this.monitors.findOwned(userId, monitorId);
    await this.findOwned(userId, webhookId);
    const result = await this.links.delete({ monitorId, webhookId });
    if (!result.affected) throw new NotFoundException('Webhook is not linked to this monitor');
  }

  /** The webhooks linked to one of the caller's monitors, most recently linked first. */
  async listForMonitor(userId: string, monitorId: string): Promise<WebhookResponseDto[]> {
    await this.monitors.findOwned(userId, monitorId);
    const rows = await this.webhooks
      .createQueryBuilder('w')
      .innerJoin(MonitorWebhook, 'l', 'l.webhook_id = w.id')
      .where('l.monitor_id = :monitorId AND w.user_id = :userId', { monitorId, userId })
      .orderBy('l.created_at', 'DESC')
      .addOrderBy('w.id', 'DESC')
      .getMany();
    return rows.map(toRow);
  }

  private async findOwned(userId: string, id: string): Promise<Webhook> {
    const webhook = await this.webhooks.findOneBy({ id, userId });
    if (!webhook) throw new NotFoundException(WEBHOOK_NOT_FOUND);
    return webhook;
  }

  private storedUrl(webhook: Webhook): string {
    try {
      return this.cipher.decrypt(webhook.urlCiphertext);
    } catch {
      // Sealed under an ENCRYPTION_KEY that is no longer configured.
      throw new ConflictException('The stored webhook URL cannot be decrypted with the current key; send webhook_url again');
    }
  }

  private checkedUrl(provider: WebhookProvider, raw: string): string {
    const url = raw.trim();
    const problem = webhookUrlProblem(provider, url, this.config.WEBHOOK_ALLOW_ANY_HOST);
    if (problem) throw validationFailure(problem, ['webhook_url']);
    return url;
  }
}
