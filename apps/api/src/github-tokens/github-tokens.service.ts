import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { GithubToken, MonitorGithubToken } from '@epitrace/entities';
import { SecretCipher } from '@epitrace/secrets';
import { pageOf, PaginationQueryDto } from '../common/pagination.dto';
import { validationFailure } from '../common/request-validation.exception';
import { MonitorsService } from '../monitors/monitors.service';
import type {
  CreateGithubTokenRequestDto,
  GithubTokenResponseDto,
  MonitorGithubTokenResponseDto,
  UpdateGithubTokenRequestDto,
} from './github-token.dto';

export const GITHUB_TOKEN_NOT_FOUND = 'GitHub token not found';
const ALREADY_LINKED = 'GitHub token already linked to this monitor';

/** Columns that may be read for a response: never `token_ciphertext`. */
const PUBLIC_COLUMNS: (keyof GithubToken)[] = ['id', 'userId', 'isActive', 'tokenLast4', 'createdAt', 'updatedAt'];

function toRow(t: GithubToken): GithubTokenResponseDto {
  return { id: t.id, user_id: t.userId, is_active: t.isActive, token_last4: t.tokenLast4, created_at: t.createdAt, updated_at: t.updatedAt };
}

/** GitHub tokens of one user, encrypted at rest; the api never decrypts them (only the code-agent does). */
@Injectable()
export class GithubTokensService {
  constructor(
    @InjectRepository(GithubToken) private readonly tokens: Repository<GithubToken>,
    @InjectRepository(MonitorGithubToken) private readonly links: Repository<MonitorGithubToken>,
    private readonly monitors: MonitorsService,
    private readonly cipher: SecretCipher,
  ) {}

  async create(userId: string, dto: CreateGithubTokenRequestDto): Promise<GithubTokenResponseDto> {
    const saved = await this.tokens.save(
      this.tokens.create({ userId, tokenCiphertext: this.cipher.encrypt(dto.access_token), tokenLast4: dto.access_token.slice(-4), isActive: true }),
    );
    return toRow(saved);
  }

  async list(userId: string, query: PaginationQueryDto): Promise<GithubTokenResponseDto[]> {
    const { take, skip } = pageOf(query);
    const rows = await this.tokens.find({ select: PUBLIC_COLUMNS, where: { userId }, order: { createdAt: 'DESC', id: 'DESC' }, take, skip });
    return rows.map(toRow);
  }

  async get(userId: string, id: string): Promise<GithubTokenResponseDto> {
    return toRow(await this.findOwned(userId, id));
  }

  async update(userId: string, id: string, dto: UpdateGithubTokenRequestDto): Promise<GithubTokenResponseDto> {
    if (dto.access_token === undefined && dto.is_active === undefined) throw validationFailure('at least one of access_token, is_active is required');
    for (const key of ['access_token', 'is_active'] as const) {
      if (dto[key] === null) throw validationFailure(`${key} cannot be null`, [key]);
    }
    await this.findOwned(userId, id);
    const changes: Partial<GithubToken> = {};
    if (dto.access_token !== undefined) Object.assign(changes, { tokenCiphertext: this.cipher.encrypt(dto.access_token), tokenLast4: dto.access_token.slice(-4) });
    if (dto.is_active !== undefined) changes.isActive = dto.is_active;
    await this.tokens.update({ id, userId }, changes);
    return toRow(await this.findOwned(userId, id));
  }

  async remove(userId: string, id: string): Promise<void> {
    const result = await this.tokens.delete({ id, userId });
    if (!result.affected) throw new NotFoundException(GITHUB_TOKEN_NOT_FOUND);
  }

  async link(userId: string, monitorId: string, tokenId: string): Promise<MonitorGithubTokenResponseDto> {
    await this.monitors.findOwned(userId, monitorId);
    await this.findOwned(userId, tokenId);
    if (await this.links.existsBy({ monitorId, githubTokenId: tokenId })) throw new ConflictException(ALREADY_LINKED);
    try {
      const link = await this.links.save(this.links.create({ monitorId, githubTokenId: tokenId }));
      return { id: link.id, monitor_id: link.monitorId, github_token_id: link.githubTokenId, created_at: link.createdAt };
    } catch (err) {
      if ((err as { driverError?: { code?: string } }).driverError?.code === '23505') throw new ConflictException(ALREADY_LINKED);
      throw err;
    }
  }

  async unlink(userId: string, monitorId: string, tokenId: string): Promise<void> {
    await this.monitors.findOwned(userId, monitorId);
    await this.findOwned(userId, tokenId);
    const result = await this.links.delete({ monitorId, githubTokenId: tokenId });
    if (!result.affected) throw new NotFoundException('GitHub token is not linked to this monitor');
  }

  /** Tokens linked to one of the caller's monitors, most recently linked first (the first one is used for fixes). */
  async listForMonitor(userId: string, monitorId: string): Promise<GithubTokenResponseDto[]> {
    await this.monitors.findOwned(userId, monitorId);
    const rows = await this.tokens
      .createQueryBuilder('t')
      .select(PUBLIC_COLUMNS.map((c) => `t.${c}`))
      .innerJoin(MonitorGithubToken, 'l', 'l.github_token_id = t.id')
      .where('l.monitor_id = :monitorId AND t.user_id = :userId', { monitorId, userId })
      .orderBy('l.created_at', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .getMany();
    return rows.map(toRow);
  }

  private async findOwned(userId: string, id: string): Promise<GithubToken> {
    const token = await this.tokens.findOne({ select: PUBLIC_COLUMNS, where: { id, userId } });
    if (!token) throw new NotFoundException(GITHUB_TOKEN_NOT_FOUND);
    return token;
  }
}
