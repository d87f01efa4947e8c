import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type AlertDeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed';

/**
 * The alert outbox: one row per (incident, event, webhook). The unique key is what makes a
 * job retry or a second replica unable to post the same alert twice; `eventKey` is e.g.
 * `down`, `recovered` or `fix:<fixJobId>`.
 */
@Entity('alert_deliveries')
@Index('uq_alert_deliveries', ['incidentId', 'eventKey', 'webhookId'], { unique: true })
@Index('idx_alert_deliveries_due', ['status', 'nextAttemptAt'])
export class AlertDelivery {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  incidentId: string;

  @Column({ type: 'varchar', length: 64 })
  eventKey: string;

  @Column({ type: 'uuid' })
  webhookId: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: AlertDeliveryStatus;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  nextAttemptAt: Date;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
