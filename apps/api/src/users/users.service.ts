import { ConflictException, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { User } from '@epitrace/entities';

/** Emails are compared and stored trimmed and lower-cased, so "Ann@X.io" and "ann@x.io" are one account. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

@Injectable()
export class UsersService {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email: normaliseEmail(email) });
  }

  async create(email: string, passwordHash: string): Promise<User> {
    const normalised = normaliseEmail(email);
    if (await this.users.existsBy({ email: normalised })) throw new ConflictException('Email already in use');
    try {
      return await this.users.save(this.users.create({ email: normalised, passwordHash }));
    } catch (err) {
      // Two registrations of one address racing: the unique index decides.
      if ((err as { driverError?: { code?: string } }).driverError?.code === '23505') throw new ConflictException('Email already in use');
      throw err;
    }
  }
}
