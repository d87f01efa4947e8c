import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const WEBHOOK_PROVIDERS = ['slack', 'discord'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

/**
 * A Slack or Discord incoming webhook. The URL is a credential (anyone holding it can post),
 * so it is stored encrypted; `urlHash` (SHA-256) enforces uniqueness and `urlHint` is the
 * masked form shown back to the owner.
 */
@Entity('webhooks')
@Index('uq_webhooks_user_provider_url', ['userId', 'provider', 'urlHash'], { unique: true })
export class Webhook {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'varchar', length: 16 })
  provider: WebhookProvider;

  @Column({ type: 'text' })
  urlCiphertext: string;

  @Column({ type: 'char', length: 64 })
  urlHash: string;

  @Column({ type: 'varchar', length: 200 })
  urlHint: string;

  @Column({ type: 'boolean', default: true })
  isActive: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

@Entity('monitor_webhooks')
@Index('uq_monitor_webhooks', ['monitorId', 'webhookId'], { unique: true })
@Index('idx_monitor_webhooks_webhook', ['webhookId'])
export class MonitorWebhook {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  monitorId: string;

  @Column({ type: 'uuid' })
  webhookId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
