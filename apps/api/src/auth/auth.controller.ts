import { Body, Controller, HttpCode, HttpStatus, Post, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiOperation, ApiResponse, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiCommonErrorResponses, ErrorResponseDto } from '../common/api-responses';
import { LoginRequestDto, LoginResponseDto, RegisterRequestDto, RegisterResponseDto } from './auth.dto';
import { AuthService } from './auth.service';
import { ValidationAsBadRequestFilter } from './validation-as-bad-request.filter';

@ApiTags('auth')
@Controller('auth')
@UseGuards(ThrottlerGuard)
@UseFilters(ValidationAsBadRequestFilter)
@ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'More than AUTH_RATE_LIMIT_PER_MINUTE requests from this address in a minute' })
@ApiCommonErrorResponses()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @ApiOperation({ summary: 'Create an account and get a bearer token' })
  @ApiResponse({ status: 201, type: RegisterResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Missing fields, invalid email, password shorter than 8 characters, or passwords do not match' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'Email already in use (case-insensitive)' })
  register(@Body() dto: RegisterRequestDto): Promise<RegisterResponseDto> {
    return this.auth.register(dto);
  }

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Exchange email and password for a bearer token' })
  @ApiResponse({ status: 200, type: LoginResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Missing fields' })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Invalid email or password' })
  login(@Body() dto: LoginRequestDto): Promise<LoginResponseDto> {
    return this.auth.login(dto);
  }
}
