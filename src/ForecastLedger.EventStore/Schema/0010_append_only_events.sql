-- Issue 11: the events table is append-only, like the checkpoints. No code path of the service updates or deletes an
-- event (migration 0005's backfill ran before this), so a role that cannot disable or drop these triggers (the service
-- role: it owns nothing, docs/operations-database-roles.md) cannot rewrite history either. A superuser or the schema's
-- owner still can (session_replication_role = replica, DISABLE TRIGGER); the chains, the stream heads and the signed
-- checkpoints are what catch that.
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON __SCHEMA__.events
    FOR EACH ROW EXECUTE FUNCTION __SCHEMA__.audit_append_only();

CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON __SCHEMA__.events
    FOR EACH STATEMENT EXECUTE FUNCTION __SCHEMA__.audit_append_only();

CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON __SCHEMA__.audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION __SCHEMA__.audit_append_only();
