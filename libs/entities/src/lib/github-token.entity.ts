import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A GitHub access token, AES-256-GCM encrypted at rest; only `tokenLast4` is ever read back out. */
@Entity('github_tokens')
@Index('idx_github_tokens_user', ['userId', 'createdAt'])
export class GithubToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  tokenCiphertext: string;

  @Column({ type: 'varchar', length: 4 })
  tokenLast4: string;

  @Column({ type: 'boolean', default: true })
  isActive: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

@Entity('monitor_github_tokens')
@Index('uq_monitor_github_tokens', ['monitorId', 'githubTokenId'], { unique: true })
@Index('idx_monitor_github_tokens_token', ['githubTokenId'])
export class MonitorGithubToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  monitorId: string;

  @Column({ type: 'uuid' })
  githubTokenId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
