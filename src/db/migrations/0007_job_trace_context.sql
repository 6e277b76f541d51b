ALTER TABLE "jobs" ADD COLUMN "trace_context" jsonb;--> statement-breakpoint
ALTER TABLE "outbound_messages" ADD COLUMN "trace_context" jsonb;