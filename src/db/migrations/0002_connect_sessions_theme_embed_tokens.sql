CREATE TABLE "embed_tokens" (
	"id" text PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"end_customer_id" text NOT NULL,
	"scopes" jsonb NOT NULL,
	"theme" jsonb,
	"origins" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by" text,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "embed_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
ALTER TABLE "connect_sessions" ADD COLUMN "theme" jsonb;--> statement-breakpoint
ALTER TABLE "connect_sessions" ADD COLUMN "locale" text;--> statement-breakpoint
ALTER TABLE "connect_sessions" ADD COLUMN "origins" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "connect_sessions" ADD COLUMN "used_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "connect_sessions" ADD COLUMN "used_connection_id" text;--> statement-breakpoint
ALTER TABLE "embed_tokens" ADD CONSTRAINT "embed_tokens_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "embed_tokens" ADD CONSTRAINT "embed_tokens_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "embed_tokens_end_customer" ON "embed_tokens" USING btree ("organization_id","environment_id","end_customer_id");--> statement-breakpoint
CREATE INDEX "embed_tokens_expiry" ON "embed_tokens" USING btree ("expires_at");