import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Incident } from '@epitrace/entities';
import { pageOf, PaginationQueryDto } from '../common/pagination.dto';
import { MonitorsService } from '../monitors/monitors.service';
import type { IncidentResponseDto } from './incident.dto';
import { toIncidentRow } from './incident.presenter';

export const INCIDENT_NOT_FOUND = 'Incident not found';

/** Incidents of one user's monitors; someone else's incident is simply "not found". */
@Injectable()
export class IncidentsService {
  constructor(
    @InjectRepository(Incident) private readonly incidents: Repository<Incident>,
    private readonly monitors: MonitorsService,
  ) {}

  /** Newest first. */
  async listForMonitor(userId: string, monitorId: string, query: PaginationQueryDto): Promise<IncidentResponseDto[]> {
    await this.monitors.findOwned(userId, monitorId);
    const rows = await this.incidents.find({ where: { monitorId, userId }, order: { openedAt: 'DESC', id: 'DESC' }, ...pageOf(query) });
    return rows.map((i) => toIncidentRow(i));
  }

  async get(userId: string, id: string): Promise<IncidentResponseDto> {
    const incident = await this.incidents.findOneBy({ id, userId });
    if (!incident) throw new NotFoundException(INCIDENT_NOT_FOUND);
    return toIncidentRow(incident);
  }
}
