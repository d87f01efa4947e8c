import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { IngestSecretGuard } from './ingest-secret.guard';
import { LogFanout } from './log-fanout.service';
import { LogIngestController } from './log-ingest.controller';
import { LogIngestService } from './log-ingest.service';
import { LogRetentionService } from './log-retention.service';
import { LogStore } from './log-store.service';
import { LogStreamController } from './log-stream.controller';
import { LogStreamService } from './log-stream.service';
import { StreamAuthService } from './stream-auth.service';

/** Fix-job logs: internal ingest, storage with retention, cross-replica fan-out, SSE stream and history. */
@Module({
  imports: [AuthModule],
  controllers: [LogIngestController, LogStreamController],
  providers: [LogStore, LogFanout, LogIngestService, LogStreamService, LogRetentionService, StreamAuthService, IngestSecretGuard],
  exports: [LogStreamService],
})
export class LogsModule {}
