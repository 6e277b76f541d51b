ALTER TABLE "inbound_events" ADD COLUMN "body_object" oid;--> statement-breakpoint
ALTER TABLE "inbound_events" ADD COLUMN "body_size" integer;--> statement-breakpoint
-- A large body kept in a large object (embedded database, src/webhooks/inbound/body-objects.ts)
-- goes with its row in the deleting transaction, whatever deletes it: retention, erasure, or a
-- cascade from its source, environment or organization.
CREATE FUNCTION "inbound_events_unlink_body"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM lo_unlink(OLD.body_object);
  RETURN OLD;
END
$$;--> statement-breakpoint
CREATE TRIGGER "inbound_events_unlink_body" AFTER DELETE ON "inbound_events"
  FOR EACH ROW WHEN (OLD.body_object IS NOT NULL) EXECUTE FUNCTION "inbound_events_unlink_body"();
