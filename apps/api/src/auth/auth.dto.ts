import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsEmail, IsString, MaxLength, MinLength } from 'class-validator';

const trimLower = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value);

export const MIN_PASSWORD_LENGTH = 8;
/** argon2 hashes whatever it is given; a cap keeps one request from burning seconds of CPU. */
export const MAX_PASSWORD_LENGTH = 256;

export class RegisterRequestDto {
  @ApiProperty({ example: 'ada@example.com', description: 'Trimmed and lower-cased; unique regardless of case.' })
  @IsDefined({ message: 'email is required' })
  @Transform(trimLower)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH })
  @IsDefined({ message: 'password is required' })
  @IsString()
  @MinLength(MIN_PASSWORD_LENGTH, { message: `password must be at least ${MIN_PASSWORD_LENGTH} characters` })
  @MaxLength(MAX_PASSWORD_LENGTH)
  password: string;

  @ApiProperty({ example: 'correct horse battery staple', description: 'Must equal password.' })
  @IsDefined({ message: 'rePassword is required' })
  @IsString()
  @MaxLength(MAX_PASSWORD_LENGTH)
  rePassword: string;
}

export class LoginRequestDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsDefined({ message: 'email is required' })
  @Transform(trimLower)
  @IsString()
  @MaxLength(254)
  email: string;

  @ApiProperty({ example: 'correct horse battery staple' })
  @IsDefined({ message: 'password is required' })
  @IsString()
  @MaxLength(MAX_PASSWORD_LENGTH)
  password: string;
}

export class RegisteredUserDto {
  @ApiProperty({ format: 'uuid', example: '8d0c3f5e-1b7a-4e0b-9d7e-2f7a6c1b9e10' })
  id: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  joinedAt: Date;
}

export class RegisterResponseDto {
  @ApiProperty({ example: 'User registered successfully' })
  message: string;

  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…', description: 'Bearer token (JWT, HS256), valid for JWT_EXPIRES_IN.' })
  token: string;

  @ApiProperty({ type: RegisteredUserDto })
  user: RegisteredUserDto;
}

export class LoggedInUserDto {
  @ApiProperty({ format: 'uuid', example: '8d0c3f5e-1b7a-4e0b-9d7e-2f7a6c1b9e10' })
  id: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty({ example: '2026-01-01T12:00:00.000Z' })
  last_updated: Date;
}

export class LoginResponseDto {
  @ApiProperty({ example: 'Login successful' })
  message: string;

  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…' })
  token: string;

  @ApiProperty({ type: LoggedInUserDto })
  user: LoggedInUserDto;
}
