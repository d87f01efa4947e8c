import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FixJob, GithubToken, Incident, Monitor } from '@epitrace/entities';
import { APP_CONFIG } from '@epitrace/nest-common';
import { SecretCipher } from '@epitrace/secrets';
import type { CodeAgentConfig } from '../config/code-agent.config';
import { FixJobError } from './fix-job.error';

export interface FixJobContext {
  job: FixJob;
  incident: Incident;
  monitor: Monitor;
  /** The decrypted GitHub token: handed to git's environment and Octokit, nowhere else. */
  token: string;
}

/** Everything a fix needs, read fresh from Postgres: job data carries ids only. */
@Injectable()
export class FixJobContextLoader {
  private readonly cipher: SecretCipher;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) config: CodeAgentConfig,
  ) {
    this.cipher = new SecretCipher(config.ENCRYPTION_KEY);
  }

  async load(job: FixJob): Promise<FixJobContext> {
    const incident = await this.db.getRepository(Incident).findOneBy({ id: job.incidentId });
    if (!incident) throw new FixJobError('the incident no longer exists', false);
    const monitor = await this.db.getRepository(Monitor).findOneBy({ id: incident.monitorId });
    if (!monitor) throw new FixJobError('the monitor of this incident was deleted', false);
    if (!monitor.repoLink) throw new FixJobError('the monitor has no repository link', false);
    const token = await this.db
      .getRepository(GithubToken)
      .createQueryBuilder('t')
      .innerJoin('monitor_github_tokens', 'mgt', 'mgt.github_token_id = t.id')
      .where('mgt.monitor_id = :monitorId', { monitorId: monitor.id })
      .andWhere('t.user_id = :userId', { userId: monitor.userId })
      .andWhere('t.is_active = true')
      .orderBy('mgt.created_at', 'DESC')
      .getOne();
    if (!token) throw new FixJobError('the monitor has no active GitHub token', false);
    let plain: string;
    try {
      plain = this.cipher.decrypt(token.tokenCiphertext);
    } catch {
      throw new FixJobError('the GitHub token could not be decrypted (was ENCRYPTION_KEY changed?)', false);
    }
    return { job, incident, monitor, token: plain };
  }
}
