import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Monitor, Webhook } from '@epitrace/entities';

/** Who hears about a monitor: its linked active webhooks, else every active webhook of its owner. */
@Injectable()
export class AlertRecipients {
  constructor(private readonly dataSource: DataSource) {}

  async forMonitor(monitor: Pick<Monitor, 'id' | 'userId'>): Promise<Webhook[]> {
    const repo = this.dataSource.getRepository(Webhook);
    const linked = await repo
      .createQueryBuilder('w')
      .innerJoin('monitor_webhooks', 'mw', 'mw.webhook_id = w.id')
      .where('mw.monitor_id = :monitorId', { monitorId: monitor.id })
      .andWhere('w.is_active = true')
      .andWhere('w.user_id = :userId', { userId: monitor.userId })
      .orderBy('w.created_at', 'ASC')
      .getMany();
    if (linked.length) return linked;
    return repo.find({ where: { userId: monitor.userId, isActive: true }, order: { createdAt: 'ASC' } });
  }
}
