import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764100000000 implements MigrationInterface {
  name = 'InitialSchema1764100000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(254) NOT NULL,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_users_email UNIQUE (email)
      )`);
    await q.query(`
      CREATE TABLE monitors (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name varchar(200) NOT NULL,
        url varchar(2048) NOT NULL,
        repo_link varchar(2048),
        method varchar(8) NOT NULL DEFAULT 'GET',
        request_header jsonb NOT NULL DEFAULT '{}'::jsonb,
        request_body jsonb,
        is_active boolean NOT NULL DEFAULT false,
        check_interval integer NOT NULL CHECK (check_interval > 0),
        timeout integer NOT NULL CHECK (timeout > 0),
        status varchar(4) CHECK (status IN ('UP', 'DOWN')),
        last_checked_at timestamptz,
        expected_status_ranges jsonb NOT NULL DEFAULT '[{"min":200,"max":399}]'::jsonb,
        keyword varchar(500),
        keyword_mode varchar(8) NOT NULL DEFAULT 'present' CHECK (keyword_mode IN ('present', 'absent')),
        max_response_time_ms integer,
        follow_redirects boolean NOT NULL DEFAULT true,
        failure_threshold integer NOT NULL DEFAULT 3 CHECK (failure_threshold > 0),
        recovery_threshold integer NOT NULL DEFAULT 2 CHECK (recovery_threshold > 0),
        consecutive_failures integer NOT NULL DEFAULT 0,
        consecutive_successes integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX idx_monitors_user_created ON monitors (user_id, created_at)`);
    await q.query(`CREATE INDEX idx_monitors_active ON monitors (is_active)`);
    await q.query(`
      CREATE TABLE monitor_checks (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        monitor_id uuid NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
        status varchar(4) NOT NULL CHECK (status IN ('UP', 'DOWN')),
        response_time_ms integer,
        status_code integer,
        error_message varchar(500),
        checked_at timestamptz NOT NULL,
        scheduled_at timestamptz
      )`);
    await q.query(`CREATE INDEX idx_monitor_checks_monitor_time ON monitor_checks (monitor_id, checked_at DESC)`);
    await q.query(
      `CREATE UNIQUE INDEX uq_monitor_checks_scheduled ON monitor_checks (monitor_id, scheduled_at) WHERE scheduled_at IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        provider varchar(16) NOT NULL CHECK (provider IN ('slack', 'discord')),
        url_ciphertext text NOT NULL,
        url_hash char(64) NOT NULL,
        url_hint varchar(200) NOT NULL,
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_webhooks_user_provider_url ON webhooks (user_id, provider, url_hash)`);
    await q.query(`
      CREATE TABLE monitor_webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        monitor_id uuid NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
        webhook_id uuid NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_monitor_webhooks ON monitor_webhooks (monitor_id, webhook_id)`);
    await q.query(`CREATE INDEX idx_monitor_webhooks_webhook ON monitor_webhooks (webhook_id)`);
    await q.query(`
      CREATE TABLE github_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_ciphertext text NOT NULL,
        token_last4 varchar(4) NOT NULL,
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX idx_github_tokens_user ON github_tokens (user_id, created_at)`);
    await q.query(`
      CREATE TABLE monitor_github_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        monitor_id uuid NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
        github_token_id uuid NOT NULL REFERENCES github_tokens(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_monitor_github_tokens ON monitor_github_tokens (monitor_id, github_token_id)`);
    await q.query(`CREATE INDEX idx_monitor_github_tokens_token ON monitor_github_tokens (github_token_id)`);
    await q.query(`
      CREATE TABLE incidents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        monitor_id uuid NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        state varchar(16) NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved')),
        opened_at timestamptz NOT NULL,
        resolved_at timestamptz,
        cause varchar(500),
        status_code integer,
        analysis_status varchar(16) NOT NULL DEFAULT 'pending',
        analysis jsonb,
        analysis_error varchar(1000),
        analysis_completed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_incidents_one_open_per_monitor ON incidents (monitor_id) WHERE state = 'open'`);
    await q.query(`CREATE INDEX idx_incidents_monitor_state ON incidents (monitor_id, state)`);
    await q.query(`CREATE INDEX idx_incidents_monitor_opened ON incidents (monitor_id, opened_at DESC)`);
    await q.query(`CREATE INDEX idx_incidents_user_opened ON incidents (user_id, opened_at DESC)`);
    await q.query(`
      CREATE TABLE alert_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        incident_id uuid NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        event_key varchar(64) NOT NULL,
        webhook_id uuid NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error varchar(1000),
        sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX uq_alert_deliveries ON alert_deliveries (incident_id, event_key, webhook_id)`);
    await q.query(`CREATE INDEX idx_alert_deliveries_due ON alert_deliveries (status, next_attempt_at)`);
    await q.query(`
      CREATE TABLE fix_trigger_tokens (
        id uuid PRIMARY KEY,
        incident_id uuid NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX idx_fix_trigger_tokens_incident ON fix_trigger_tokens (incident_id)`);
    await q.query(`
      CREATE TABLE fix_jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        incident_id uuid NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
        monitor_id uuid NOT NULL REFERENCES monitors(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        status varchar(16) NOT NULL,
        step_timestamps jsonb NOT NULL DEFAULT '{}'::jsonb,
        branch varchar(255),
        pr_url varchar(2048),
        pr_number integer,
        test_command varchar(500),
        baseline_test_outcome varchar(16),
        after_test_outcome varchar(16),
        error varchar(2000),
        attempts integer NOT NULL DEFAULT 0,
        heartbeat_at timestamptz,
        started_at timestamptz,
        finished_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_fix_jobs_one_live_per_incident ON fix_jobs (incident_id) WHERE status NOT IN ('failed', 'no-change')`,
    );
    await q.query(`CREATE INDEX idx_fix_jobs_user_created ON fix_jobs (user_id, created_at DESC)`);
    await q.query(`CREATE INDEX idx_fix_jobs_status_heartbeat ON fix_jobs (status, heartbeat_at)`);
    await q.query(`
      CREATE TABLE job_log_entries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_id uuid,
        user_id uuid,
        ts timestamptz NOT NULL DEFAULT now(),
        level varchar(16) NOT NULL DEFAULT 'info',
        stage varchar(64),
        category varchar(64),
        repo varchar(2048),
        message text NOT NULL
      )`);
    await q.query(`CREATE INDEX idx_job_log_entries_job ON job_log_entries (job_id, id)`);
    await q.query(`CREATE INDEX idx_job_log_entries_ts ON job_log_entries (ts)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'job_log_entries',
      'fix_jobs',
      'fix_trigger_tokens',
      'alert_deliveries',
      'incidents',
      'monitor_github_tokens',
      'github_tokens',
      'monitor_webhooks',
      'webhooks',
      'monitor_checks',
      'monitors',
      'users',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
