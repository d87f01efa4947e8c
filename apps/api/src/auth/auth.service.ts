import { BadRequestException, Injectable, OnModuleInit, UnauthorizedException } from '@nestjs/common';
import * as argon2 from 'argon2';
import { UsersService } from '../users/users.service';
import { AccessTokenService } from './access-token.service';
import type { LoginRequestDto, LoginResponseDto, RegisterRequestDto, RegisterResponseDto } from './auth.dto';

export const INVALID_CREDENTIALS = 'Invalid email or password';

@Injectable()
export class AuthService implements OnModuleInit {
  /** Verified against when the email is unknown, so a login takes as long whether or not the account exists. */
  private dummyHash = '';

  constructor(
    private readonly users: UsersService,
    private readonly tokens: AccessTokenService,
  ) {}

  async onModuleInit() {
    this.dummyHash = await argon2.hash('not-a-real-password-just-for-timing');
  }

  async register(dto: RegisterRequestDto): Promise<RegisterResponseDto> {
    if (dto.password !== dto.rePassword) throw new BadRequestException('Passwords do not match');
    const user = await this.users.create(dto.email, await argon2.hash(dto.password, { type: argon2.argon2id }));
    return {
      message: 'User registered successfully',
      token: await this.tokens.issue(user),
      user: { id: user.id, email: user.email, joinedAt: user.createdAt },
    };
  }

  async login(dto: LoginRequestDto): Promise<LoginResponseDto> {
    const user = await this.users.findByEmail(dto.email);
    const valid = await argon2.verify(user?.passwordHash ?? this.dummyHash, dto.password).catch(() => false);
    if (!user || !valid) throw new UnauthorizedException(INVALID_CREDENTIALS);
    return {
      message: 'Login successful',
      token: await this.tokens.issue(user),
      user: { id: user.id, email: user.email, last_updated: user.updatedAt },
    };
  }
}
