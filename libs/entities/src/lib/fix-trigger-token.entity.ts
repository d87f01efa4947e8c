import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The server-side half of a signed auto-fix link: the signature proves who made the link,
 * this row makes it single use (claimed by a conditional UPDATE of `usedAt`).
 */
@Entity('fix_trigger_tokens')
@Index('idx_fix_trigger_tokens_incident', ['incidentId'])
export class FixTriggerToken {
  /** The token's `jti`. */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  incidentId: string;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
