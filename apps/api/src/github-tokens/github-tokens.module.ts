import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GithubToken, MonitorGithubToken } from '@epitrace/entities';
import { SecretCipherModule } from '../common/secret-cipher.module';
import { MonitorsModule } from '../monitors/monitors.module';
import { GithubTokensController } from './github-tokens.controller';
import { GithubTokensService } from './github-tokens.service';

@Module({
  imports: [TypeOrmModule.forFeature([GithubToken, MonitorGithubToken]), MonitorsModule, SecretCipherModule],
  controllers: [GithubTokensController],
  providers: [GithubTokensService],
})
export class GithubTokensModule {}
