CREATE SEQUENCE "public"."record_change_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1000;--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"token_hash" text NOT NULL,
	"role" text,
	"scopes" jsonb NOT NULL,
	"rate_limits" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"action" text NOT NULL,
	"target_type" text,
	"target_id" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"ip" text,
	"request_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "environments" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"name" text NOT NULL,
	"allow_private_networks" boolean DEFAULT false NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"principal_id" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" integer,
	"response" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_organization_id_environment_id_principal_id_key_pk" PRIMARY KEY("organization_id","environment_id","principal_id","key")
);
--> statement-breakpoint
CREATE TABLE "members" (
	"organization_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "members_organization_id_user_id_pk" PRIMARY KEY("organization_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" text PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organizations_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"csrf_token" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "connections" (
	"environment_id" text NOT NULL,
	"id" text NOT NULL,
	"organization_id" text NOT NULL,
	"integration_id" text NOT NULL,
	"connector_key" text NOT NULL,
	"end_customer_id" text NOT NULL,
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"credential_type" text NOT NULL,
	"credential_reference" text,
	"status" text NOT NULL,
	"status_reason" text,
	"status_message" text,
	"status_changed_at" timestamp with time zone NOT NULL,
	"account_info" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"token_expires_at" timestamp with time zone,
	"last_refresh_at" timestamp with time zone,
	"last_sync_at" timestamp with time zone,
	"last_sync_error" text,
	"error_count" integer DEFAULT 0 NOT NULL,
	"last_test_at" timestamp with time zone,
	"last_test" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "connections_environment_id_id_pk" PRIMARY KEY("environment_id","id")
);
--> statement-breakpoint
CREATE TABLE "connect_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"end_customer_id" text NOT NULL,
	"integration_ids" jsonb,
	"connection_id" text,
	"connection_config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "connect_sessions_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "oauth_states" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"integration_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"reauthorize" boolean NOT NULL,
	"end_customer_id" text NOT NULL,
	"connection_config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"connect_session_id" text,
	"user_id" text,
	"binding_hash" text NOT NULL,
	"sealed" "bytea" NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "secrets" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"owner_type" text NOT NULL,
	"owner_id" text NOT NULL,
	"name" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"format" integer DEFAULT 1 NOT NULL,
	"ciphertext" "bytea" NOT NULL,
	"iv" "bytea" NOT NULL,
	"auth_tag" "bytea" NOT NULL,
	"wrapped_key" "bytea" NOT NULL,
	"master_key_id" text NOT NULL,
	"key_wrapped_at" timestamp with time zone NOT NULL,
	"rotation_owner" text,
	"rotated_at" timestamp with time zone NOT NULL,
	"rotate_every_days" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"type" text NOT NULL,
	"schema_version" integer DEFAULT 1 NOT NULL,
	"data" jsonb NOT NULL,
	"external_id" text,
	"channels" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"origin" text DEFAULT 'system' NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "integrations" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"key" text NOT NULL,
	"connector_key" text NOT NULL,
	"name" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"oauth_client_id" text,
	"scopes" jsonb,
	"oauth_urls" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"base_url" text,
	"provider_environment" text DEFAULT 'production' NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_schedules" (
	"name" text PRIMARY KEY NOT NULL,
	"last_tick_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"organization_id" text,
	"environment_id" text,
	"priority" integer DEFAULT 0 NOT NULL,
	"run_at" timestamp with time zone NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer,
	"key" text,
	"state" text DEFAULT 'pending' NOT NULL,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "conflicts" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"model" text NOT NULL,
	"external_id" text NOT NULL,
	"field" text NOT NULL,
	"patchbay_value" jsonb,
	"provider_value" jsonb,
	"patchbay_modified_at" timestamp with time zone,
	"provider_modified_at" timestamp with time zone,
	"run_id" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mappings" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"integration_id" text,
	"connection_id" text,
	"model" text NOT NULL,
	"fields" jsonb NOT NULL,
	"conflict_strategy" text DEFAULT 'last_modified' NOT NULL,
	"source_priority" text DEFAULT 'provider' NOT NULL,
	"conflict_rules" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "metric_points" (
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"metric_id" text NOT NULL,
	"time" timestamp with time zone NOT NULL,
	"dimensions_key" text DEFAULT '' NOT NULL,
	"dimensions" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"value" double precision NOT NULL,
	"run_id" text,
	CONSTRAINT "metric_points_environment_id_connection_id_metric_id_time_dimensions_key_pk" PRIMARY KEY("environment_id","connection_id","metric_id","time","dimensions_key")
);
--> statement-breakpoint
CREATE TABLE "record_versions" (
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"model" text NOT NULL,
	"external_id" text NOT NULL,
	"version" integer NOT NULL,
	"data" jsonb NOT NULL,
	"hash" text NOT NULL,
	"deleted_at" timestamp with time zone,
	"replaced_by_run_id" text,
	"replaced_at" timestamp with time zone NOT NULL,
	CONSTRAINT "record_versions_environment_id_connection_id_model_external_id_version_pk" PRIMARY KEY("environment_id","connection_id","model","external_id","version")
);
--> statement-breakpoint
CREATE TABLE "records" (
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"model" text NOT NULL,
	"external_id" text NOT NULL,
	"data" jsonb NOT NULL,
	"hash" text NOT NULL,
	"version" integer NOT NULL,
	"provider_updated_at" timestamp with time zone,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"deleted_at" timestamp with time zone,
	"created_run_id" text,
	"last_run_id" text,
	"seen_run_id" text,
	"last_change" text DEFAULT 'ADDED' NOT NULL,
	"local_changes" jsonb,
	"change_txid" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"change_seq" bigint DEFAULT nextval('record_change_seq') NOT NULL,
	CONSTRAINT "records_environment_id_connection_id_model_external_id_pk" PRIMARY KEY("environment_id","connection_id","model","external_id")
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"sync_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"model" text NOT NULL,
	"status" text NOT NULL,
	"trigger" text NOT NULL,
	"full" boolean NOT NULL,
	"phase" text DEFAULT 'fetching' NOT NULL,
	"checkpoint_before" jsonb,
	"checkpoint" jsonb,
	"pages" integer DEFAULT 0 NOT NULL,
	"provider_calls" integer DEFAULT 0 NOT NULL,
	"added" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"deleted" integer DEFAULT 0 NOT NULL,
	"unchanged" integer DEFAULT 0 NOT NULL,
	"conflicts" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"reverts_run_id" text,
	"rolled_back_by" text,
	"cancel_requested_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "syncs" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"kind" text DEFAULT 'records' NOT NULL,
	"model" text NOT NULL,
	"frequency" text,
	"data_strategy" text DEFAULT 'events' NOT NULL,
	"should_backfill" boolean DEFAULT true NOT NULL,
	"historical_days" integer,
	"enabled" boolean DEFAULT true NOT NULL,
	"checkpoint" jsonb,
	"next_run_at" timestamp with time zone,
	"last_run_id" text,
	"last_run_at" timestamp with time zone,
	"last_status" text,
	"rerun_requested" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbound_dedupe" (
	"source_id" text NOT NULL,
	"key" text NOT NULL,
	"event_id" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "inbound_dedupe_source_id_key_pk" PRIMARY KEY("source_id","key")
);
--> statement-breakpoint
CREATE TABLE "inbound_events" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"source_id" text NOT NULL,
	"status" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"query" text DEFAULT '' NOT NULL,
	"headers" jsonb NOT NULL,
	"body" "bytea" NOT NULL,
	"remote_ip" text,
	"received_at" timestamp with time zone NOT NULL,
	"rejection_reason" text,
	"provider_event_id" text,
	"duplicate_of" text,
	"event_type" text,
	"connection_id" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"processing_ms" integer,
	"processed_at" timestamp with time zone,
	"outcome" jsonb,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbound_sources" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"name" text NOT NULL,
	"connector_key" text,
	"integration_id" text,
	"verification" jsonb DEFAULT '{"type":"none"}'::jsonb NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"allowed_ips" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"tolerance_seconds" integer DEFAULT 300 NOT NULL,
	"allowed_methods" jsonb DEFAULT '["POST"]'::jsonb NOT NULL,
	"max_body_bytes" integer DEFAULT 10485760 NOT NULL,
	"response" jsonb DEFAULT '{"status":200}'::jsonb NOT NULL,
	"dedupe_window_seconds" integer DEFAULT 604800 NOT NULL,
	"event_id_header" text,
	"event_id_pointer" text,
	"action" jsonb DEFAULT '{"type":"forward"}'::jsonb NOT NULL,
	"filters" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"secret_count" integer DEFAULT 0 NOT NULL,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbound_attempts" (
	"id" text NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"message_id" text NOT NULL,
	"endpoint_id" text NOT NULL,
	"attempt" integer NOT NULL,
	"trigger" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"duration_ms" integer NOT NULL,
	"succeeded" boolean NOT NULL,
	"status_code" integer,
	"response_headers" jsonb,
	"response_body" text,
	"error_class" text,
	"error" text,
	"next_attempt_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "outbound_attempts_message_id_endpoint_id_attempt_pk" PRIMARY KEY("message_id","endpoint_id","attempt")
);
--> statement-breakpoint
CREATE TABLE "outbound_deliveries" (
	"message_id" text NOT NULL,
	"endpoint_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"schedule_start" integer DEFAULT 0 NOT NULL,
	"fifo" boolean DEFAULT false NOT NULL,
	"trigger" text DEFAULT 'event' NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"locked_until" timestamp with time zone,
	"last_attempt_at" timestamp with time zone,
	"last_status_code" integer,
	"last_error" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "outbound_deliveries_message_id_endpoint_id_pk" PRIMARY KEY("message_id","endpoint_id")
);
--> statement-breakpoint
CREATE TABLE "outbound_endpoint_state" (
	"endpoint_id" text PRIMARY KEY NOT NULL,
	"dispatcher_id" text,
	"dispatcher_until" timestamp with time zone,
	"failing_since" timestamp with time zone,
	"paused_until" timestamp with time zone,
	"window_start" timestamp with time zone,
	"window_count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbound_endpoints" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"kind" text DEFAULT 'http' NOT NULL,
	"url" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"event_types" jsonb,
	"channels" jsonb,
	"filter" jsonb,
	"headers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"signature_type" text DEFAULT 'v1' NOT NULL,
	"secret_id" text NOT NULL,
	"secret_version" integer DEFAULT 1 NOT NULL,
	"timeout_ms" integer DEFAULT 10000 NOT NULL,
	"rate_limit" integer,
	"max_concurrency" integer DEFAULT 20 NOT NULL,
	"fifo" boolean DEFAULT false NOT NULL,
	"retry_config" jsonb DEFAULT '{"backoffStrategy":"default"}'::jsonb NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"disabled_reason" text,
	"disabled_at" timestamp with time zone,
	"stream_seen_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbound_event_types" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"schema_version" integer DEFAULT 1 NOT NULL,
	"schemas" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"example" jsonb,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbound_messages" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"event_id" text NOT NULL,
	"external_id" text,
	"event_type" text NOT NULL,
	"schema_version" integer NOT NULL,
	"channels" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"payload" text,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"pruned_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "environments" ADD CONSTRAINT "environments_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connections" ADD CONSTRAINT "connections_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connections" ADD CONSTRAINT "connections_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connections" ADD CONSTRAINT "connections_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connect_sessions" ADD CONSTRAINT "connect_sessions_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connect_sessions" ADD CONSTRAINT "connect_sessions_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_states" ADD CONSTRAINT "oauth_states_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_states" ADD CONSTRAINT "oauth_states_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "secrets" ADD CONSTRAINT "secrets_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "secrets" ADD CONSTRAINT "secrets_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integrations" ADD CONSTRAINT "integrations_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_events" ADD CONSTRAINT "inbound_events_source_id_inbound_sources_id_fk" FOREIGN KEY ("source_id") REFERENCES "public"."inbound_sources"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_sources" ADD CONSTRAINT "inbound_sources_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbound_sources" ADD CONSTRAINT "inbound_sources_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_env" ON "api_keys" USING btree ("organization_id","environment_id");--> statement-breakpoint
CREATE INDEX "audit_log_org_id" ON "audit_log" USING btree ("organization_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "environments_org_name" ON "environments" USING btree ("organization_id","name");--> statement-breakpoint
CREATE INDEX "connections_org_env_created" ON "connections" USING btree ("organization_id","environment_id","created_at","id");--> statement-breakpoint
CREATE INDEX "connections_end_customer" ON "connections" USING btree ("organization_id","environment_id","end_customer_id");--> statement-breakpoint
CREATE INDEX "connections_integration" ON "connections" USING btree ("integration_id");--> statement-breakpoint
CREATE INDEX "connections_token_expiry" ON "connections" USING btree ("token_expires_at") WHERE "connections"."credential_type" in ('oauth2', 'clientCredentials');--> statement-breakpoint
CREATE INDEX "connect_sessions_end_customer" ON "connect_sessions" USING btree ("organization_id","environment_id","end_customer_id");--> statement-breakpoint
CREATE INDEX "connect_sessions_expiry" ON "connect_sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "oauth_states_expiry" ON "oauth_states" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "oauth_states_end_customer" ON "oauth_states" USING btree ("organization_id","environment_id","end_customer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "secrets_owner_name" ON "secrets" USING btree ("environment_id","owner_type","owner_id","name");--> statement-breakpoint
CREATE INDEX "secrets_org_env" ON "secrets" USING btree ("organization_id","environment_id","id");--> statement-breakpoint
CREATE INDEX "secrets_master_key" ON "secrets" USING btree ("master_key_id");--> statement-breakpoint
CREATE INDEX "events_env_id" ON "events" USING btree ("organization_id","environment_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "events_env_external_id" ON "events" USING btree ("environment_id","external_id") WHERE "events"."external_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "integrations_env_key" ON "integrations" USING btree ("environment_id","key");--> statement-breakpoint
CREATE INDEX "integrations_org_env" ON "integrations" USING btree ("organization_id","environment_id","id");--> statement-breakpoint
CREATE INDEX "jobs_claim" ON "jobs" USING btree ("priority","run_at","id") WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX "jobs_run_at" ON "jobs" USING btree ("run_at") WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX "jobs_lease" ON "jobs" USING btree ("locked_until") WHERE state = 'running';--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_key" ON "jobs" USING btree ("key") WHERE key is not null and state <> 'failed';--> statement-breakpoint
CREATE INDEX "jobs_scope" ON "jobs" USING btree ("organization_id","environment_id","id") WHERE organization_id is not null;--> statement-breakpoint
CREATE INDEX "conflicts_scope" ON "conflicts" USING btree ("organization_id","environment_id","status","id");--> statement-breakpoint
CREATE UNIQUE INDEX "conflicts_pending_field" ON "conflicts" USING btree ("environment_id","connection_id","model","external_id","field") WHERE status = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "mappings_integration_model" ON "mappings" USING btree ("environment_id","integration_id","model") WHERE connection_id is null;--> statement-breakpoint
CREATE UNIQUE INDEX "mappings_connection_model" ON "mappings" USING btree ("environment_id","connection_id","model") WHERE connection_id is not null;--> statement-breakpoint
CREATE INDEX "mappings_scope" ON "mappings" USING btree ("organization_id","environment_id","id");--> statement-breakpoint
CREATE INDEX "record_versions_run" ON "record_versions" USING btree ("replaced_by_run_id");--> statement-breakpoint
CREATE INDEX "records_feed" ON "records" USING btree (("environment_id" || '/' || "connection_id"),"change_txid","change_seq");--> statement-breakpoint
CREATE UNIQUE INDEX "sync_runs_one_active" ON "sync_runs" USING btree ("sync_id") WHERE status in ('queued', 'running');--> statement-breakpoint
CREATE INDEX "sync_runs_sync" ON "sync_runs" USING btree ("sync_id","id");--> statement-breakpoint
CREATE INDEX "sync_runs_scope" ON "sync_runs" USING btree ("organization_id","environment_id","id");--> statement-breakpoint
CREATE INDEX "sync_runs_connection_active" ON "sync_runs" USING btree ("environment_id","connection_id") WHERE status in ('queued', 'running');--> statement-breakpoint
CREATE UNIQUE INDEX "syncs_connection_model" ON "syncs" USING btree ("environment_id","connection_id","model");--> statement-breakpoint
CREATE INDEX "syncs_scope" ON "syncs" USING btree ("organization_id","environment_id","connection_id");--> statement-breakpoint
CREATE INDEX "syncs_due" ON "syncs" USING btree ("next_run_at") WHERE enabled and next_run_at is not null;--> statement-breakpoint
CREATE INDEX "inbound_dedupe_expires" ON "inbound_dedupe" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "inbound_events_env" ON "inbound_events" USING btree ("organization_id","environment_id","id");--> statement-breakpoint
CREATE INDEX "inbound_events_source" ON "inbound_events" USING btree ("source_id","id");--> statement-breakpoint
CREATE INDEX "inbound_events_status" ON "inbound_events" USING btree ("organization_id","environment_id","status","id");--> statement-breakpoint
CREATE INDEX "inbound_sources_env" ON "inbound_sources" USING btree ("organization_id","environment_id","id");--> statement-breakpoint
CREATE INDEX "outbound_attempts_endpoint" ON "outbound_attempts" USING btree ("endpoint_id","started_at");--> statement-breakpoint
CREATE INDEX "outbound_deliveries_due" ON "outbound_deliveries" USING btree ("endpoint_id","next_attempt_at","message_id") WHERE state = 'pending';--> statement-breakpoint
CREATE INDEX "outbound_deliveries_inflight" ON "outbound_deliveries" USING btree ("endpoint_id","locked_until") WHERE state = 'delivering';--> statement-breakpoint
CREATE INDEX "outbound_deliveries_fifo" ON "outbound_deliveries" USING btree ("endpoint_id","message_id") WHERE fifo and state in ('pending', 'delivering');--> statement-breakpoint
CREATE INDEX "outbound_deliveries_dead" ON "outbound_deliveries" USING btree ("organization_id","environment_id","endpoint_id","message_id") WHERE state = 'failed';--> statement-breakpoint
CREATE INDEX "outbound_endpoints_scope" ON "outbound_endpoints" USING btree ("organization_id","environment_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "outbound_event_types_name" ON "outbound_event_types" USING btree ("environment_id","name");--> statement-breakpoint
CREATE INDEX "outbound_event_types_scope" ON "outbound_event_types" USING btree ("organization_id","environment_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "outbound_messages_event" ON "outbound_messages" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "outbound_messages_scope" ON "outbound_messages" USING btree ("organization_id","environment_id","id");--> statement-breakpoint
CREATE INDEX "outbound_messages_prune" ON "outbound_messages" USING btree ("created_at") WHERE payload is not null;