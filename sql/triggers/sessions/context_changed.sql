-- The triggers on sessions that run context_changed().
-- Sessions: a new one is in no worker's cache; an ended one, or one whose
-- user, token or expiry changes, must leave them. A touch moves
-- last_seen_at forward only; moving it back (an administrator, a test) is
-- a change too.
-- requires: context_changed
CREATE OR REPLACE TRIGGER sessions_context_delete AFTER DELETE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION context_changed();

CREATE OR REPLACE TRIGGER sessions_context_truncate AFTER TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION context_changed();

CREATE OR REPLACE TRIGGER sessions_context_update AFTER UPDATE ON sessions
    FOR EACH ROW WHEN (NEW.token_hash IS DISTINCT FROM OLD.token_hash OR NEW.user_id IS DISTINCT FROM OLD.user_id
                       OR NEW.expires_at IS DISTINCT FROM OLD.expires_at
                       OR NEW.last_seen_at < OLD.last_seen_at)
    EXECUTE FUNCTION context_changed();
