-- The triggers on portal_settings that run context_changed().
-- Every table request_context() reads notifies channel portal_context
-- when it changes (a statement trigger; PostgreSQL sends a transaction's
-- identical notifications once, at its commit): the workers drop their
-- cached contexts when one arrives (cgi/session.c, "The context cache").
-- requires: context_changed
CREATE OR REPLACE TRIGGER portal_settings_context AFTER INSERT OR UPDATE OR DELETE ON portal_settings
    FOR EACH STATEMENT EXECUTE FUNCTION context_changed();
CREATE OR REPLACE TRIGGER portal_settings_context_truncate AFTER TRUNCATE ON portal_settings
    FOR EACH STATEMENT EXECUTE FUNCTION context_changed();
