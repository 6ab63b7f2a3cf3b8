-- The triggers on tenant_brand that run context_changed().
-- Every table request_context() reads notifies channel portal_context
-- when it changes (a statement trigger; PostgreSQL sends a transaction's
-- identical notifications once, at its commit): the workers drop their
-- cached contexts when one arrives (cgi/session.c, "The context cache").
-- requires: context_changed
CREATE OR REPLACE TRIGGER tenant_brand_context AFTER INSERT OR UPDATE OR DELETE ON tenant_brand
    FOR EACH STATEMENT EXECUTE FUNCTION context_changed();
CREATE OR REPLACE TRIGGER tenant_brand_context_truncate AFTER TRUNCATE ON tenant_brand
    FOR EACH STATEMENT EXECUTE FUNCTION context_changed();
