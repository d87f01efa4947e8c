import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { DEFAULT_EXPECTED_STATUS, Monitor, MonitorCheck, MonitorGithubToken } from '@epitrace/entities';
import { validationFailure } from '../common/request-validation.exception';
import { pageOf, PaginationQueryDto } from '../common/pagination.dto';
import type { CreateMonitorRequestDto, MonitorCheckResponseDto, MonitorResponseDto, UpdateMonitorRequestDto } from './monitor.dto';
import { toCheckRow, toMonitorRow } from './monitor.presenter';
import { MonitorScheduleSync } from './monitor-schedule-sync.service';

export const MONITOR_NOT_FOUND = 'Monitor not found';

/** Fields of a PATCH that cannot be cleared: `null` for them is a 422, not a database error. */
const NOT_NULLABLE: (keyof UpdateMonitorRequestDto)[] = [
  'name',
  'url',
  'repo_link',
  'method',
  'request_header',
  'check_interval',
  'timeout',
  'expected_status_ranges',
  'keyword_mode',
  'follow_redirects',
  'failure_threshold',
  'recovery_threshold',
];

function toEntityFields(dto: UpdateMonitorRequestDto): Partial<Monitor> {
  const fields: Partial<Monitor> = {};
  if (dto.name !== undefined) fields.name = dto.name;
  if (dto.url !== undefined) fields.url = dto.url;
  if (dto.repo_link !== undefined) fields.repoLink = dto.repo_link;
  if (dto.method !== undefined) fields.method = dto.method;
  if (dto.request_header !== undefined) fields.requestHeader = dto.request_header;
  if (dto.request_body !== undefined) fields.requestBody = dto.request_body;
  if (dto.check_interval !== undefined) fields.checkInterval = dto.check_interval;
  if (dto.timeout !== undefined) fields.timeout = dto.timeout;
  if (dto.expected_status_ranges !== undefined) fields.expectedStatusRanges = dto.expected_status_ranges.map(({ min, max }) => ({ min, max }));
  if (dto.keyword !== undefined) fields.keyword = dto.keyword;
  if (dto.keyword_mode !== undefined) fields.keywordMode = dto.keyword_mode;
  if (dto.max_response_time_ms !== undefined) fields.maxResponseTimeMs = dto.max_response_time_ms;
  if (dto.follow_redirects !== undefined) fields.followRedirects = dto.follow_redirects;
  if (dto.failure_threshold !== undefined) fields.failureThreshold = dto.failure_threshold;
  if (dto.recovery_threshold !== undefined) fields.recoveryThreshold = dto.recovery_threshold;
  return fields;
}

/** Monitors of one user. Every query is scoped by `userId`: someone else's monitor is simply "not found". */
@Injectable()
export class MonitorsService {
  constructor(
    @InjectRepository(Monitor) private readonly monitors: Repository<Monitor>,
    @InjectRepository(MonitorCheck) private readonly checks: Repository<MonitorCheck>,
    @InjectRepository(MonitorGithubToken) private readonly tokenLinks: Repository<MonitorGithubToken>,
    private readonly schedules: MonitorScheduleSync,
  ) {}

  /** The caller's monitor, or 404. Other modules use it to check ownership before linking. */
  async findOwned(userId: string, id: string): Promise<Monitor> {
    const monitor = await this.monitors.findOneBy({ id, userId });
    if (!monitor) throw new NotFoundException(MONITOR_NOT_FOUND);
    return monitor;
  }

  async create(userId: string, dto: CreateMonitorRequestDto): Promise<MonitorResponseDto> {
    // Optional fields sent as null get their defaults, as if they had been left out.
    const monitor = await this.monitors.save(
      this.monitors.create({
        ...toEntityFields(dto),
        userId,
        method: dto.method ?? 'GET',
        requestHeader: dto.request_header ?? {},
        requestBody: dto.request_body ?? null,
        expectedStatusRanges: (dto.expected_status_ranges ?? DEFAULT_EXPECTED_STATUS).map(({ min, max }) => ({ min, max })),
        keyword: dto.keyword ?? null,
        keywordMode: dto.keyword_mode ?? 'present',
        maxResponseTimeMs: dto.max_response_time_ms ?? null,
        followRedirects: dto.follow_redirects ?? true,
        failureThreshold: dto.failure_threshold ?? 3,
        recoveryThreshold: dto.recovery_threshold ?? 2,
        isActive: dto.is_active ?? false,
      }),
    );
    if (monitor.isActive) await this.schedules.schedule(monitor);
    return toMonitorRow(await this.findOwned(userId, monitor.id), null);
  }

  async list(userId: string, query: PaginationQueryDto): Promise<MonitorResponseDto[]> {
    const { take, skip } = pageOf(query);
    const rows = await this.monitors.find({ where: { userId }, order: { createdAt: 'DESC', id: 'DESC' }, take, skip });
    const tokens = await this.linkedTokenIds(rows.map((m) => m.id));
    return rows.map((m) => toMonitorRow(m, tokens.get(m.id) ?? null));
  }

  async get(userId: string, id: string): Promise<MonitorResponseDto> {
    const monitor = await this.findOwned(userId, id);
    const tokens = await this.linkedTokenIds([id]);
    return toMonitorRow(monitor, tokens.get(id) ?? null);
  }

  async update(userId: string, id: string, dto: UpdateMonitorRequestDto): Promise<MonitorResponseDto> {
    const given = Object.keys(dto).filter((k) => dto[k as keyof UpdateMonitorRequestDto] !== undefined);
    if (!given.length) throw validationFailure('at least one field to change is required');
    const cleared = NOT_NULLABLE.find((k) => dto[k] === null);
    if (cleared) throw validationFailure(`${cleared} cannot be null`, [cleared]);

    await this.findOwned(userId, id);
    // requestBody is `unknown` JSON, which TypeORM's partial-entity type cannot express.
    await this.monitors.update({ id, userId }, toEntityFields(dto) as Parameters<Repository<Monitor>['update']>[1]);
    const monitor = await this.findOwned(userId, id);
    // Any change to what or how often is checked applies at once, not after the old interval.
    if (monitor.isActive) await this.schedules.schedule(monitor);
    const tokens = await this.linkedTokenIds([id]);
    return toMonitorRow(monitor, tokens.get(id) ?? null);
  }

  async remove(userId: string, id: string): Promise<void> {
    await this.findOwned(userId, id);
    // Stop checking first, so no check runs against a monitor that no longer exists.
    await this.schedules.unschedule(id);
    await this.monitors.delete({ id, userId });
  }

  /** Activates and schedules; an already active monitor is left as it is. */
  async start(userId: string, id: string): Promise<{ alreadyActive: boolean }> {
    const result = await this.monitors
      .createQueryBuilder()
      .update(Monitor)
      .set({ isActive: true })
      .where('id = :id AND user_id = :userId AND is_active = false', { id, userId })
      .returning('id, check_interval')
      .execute();
    const started = result.raw[0] as { id: string; check_interval: number } | undefined;
    if (!started) {
      await this.findOwned(userId, id);
      return { alreadyActive: true };
    }
    await this.schedules.schedule({ id, checkInterval: started.check_interval });
    return { alreadyActive: false };
  }

  async pause(userId: string, id: string): Promise<void> {
    const result = await this.monitors.update({ id, userId }, { isActive: false });
    if (!result.affected) throw new NotFoundException(MONITOR_NOT_FOUND);
    await this.schedules.unschedule(id);
  }

  async history(userId: string, id: string, query: PaginationQueryDto): Promise<MonitorCheckResponseDto[]> {
    await this.findOwned(userId, id);
    const { take, skip } = pageOf(query);
    const rows = await this.checks.find({ where: { monitorId: id }, order: { checkedAt: 'DESC', id: 'DESC' }, take, skip });
    return rows.map(toCheckRow);
  }

  /** monitor id → id of its most recently linked GitHub token. */
  private async linkedTokenIds(monitorIds: string[]): Promise<Map<string, string>> {
    if (!monitorIds.length) return new Map();
    const links = await this.tokenLinks.find({ where: { monitorId: In(monitorIds) }, order: { createdAt: 'DESC', id: 'DESC' } });
    const latest = new Map<string, string>();
    for (const link of links) if (!latest.has(link.monitorId)) latest.set(link.monitorId, link.githubTokenId);
    return latest;
  }
}
