import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MonitorWebhook, Webhook } from '@epitrace/entities';
import { SecretCipherModule } from '../common/secret-cipher.module';
import { MonitorsModule } from '../monitors/monitors.module';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [TypeOrmModule.forFeature([Webhook, MonitorWebhook]), MonitorsModule, SecretCipherModule],
  controllers: [WebhooksController],
  providers: [WebhooksService],
})
export class WebhooksModule {}
