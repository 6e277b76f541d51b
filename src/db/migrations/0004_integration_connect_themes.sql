CREATE TABLE "integration_themes" (
	"organization_id" text NOT NULL,
	"environment_id" text NOT NULL,
	"integration_id" text NOT NULL,
	"theme" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "integration_themes_environment_id_integration_id_pk" PRIMARY KEY("environment_id","integration_id")
);
--> statement-breakpoint
ALTER TABLE "integration_themes" ADD CONSTRAINT "integration_themes_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_themes" ADD CONSTRAINT "integration_themes_environment_id_environments_id_fk" FOREIGN KEY ("environment_id") REFERENCES "public"."environments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "integration_themes" ADD CONSTRAINT "integration_themes_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;