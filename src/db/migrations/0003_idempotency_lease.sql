ALTER TABLE "idempotency_keys" ADD COLUMN "withheld" jsonb;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "locked_until" timestamp with time zone;