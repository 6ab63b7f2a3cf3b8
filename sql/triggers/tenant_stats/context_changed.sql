-- The triggers on tenant_stats that notify channel portal_context (as
-- every table request_context() reads does; PostgreSQL sends a
-- transaction's identical notifications once, at its commit). A change of
-- rows names their tenants (tenants_changed(): the workers drop those
-- tenants' cached pages only, cgi/session.c); a TRUNCATE names nothing
-- and drops every cached context (context_changed()). A trigger with a
-- transition table has one event, hence three.
-- requires: context_changed, tenants_changed
CREATE OR REPLACE TRIGGER tenant_stats_context AFTER DELETE ON tenant_stats
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tenants_changed();
CREATE OR REPLACE TRIGGER tenant_stats_context_insert AFTER INSERT ON tenant_stats
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tenants_changed();
CREATE OR REPLACE TRIGGER tenant_stats_context_update AFTER UPDATE ON tenant_stats
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION tenants_changed();
CREATE OR REPLACE TRIGGER tenant_stats_context_truncate AFTER TRUNCATE ON tenant_stats
    FOR EACH STATEMENT EXECUTE FUNCTION context_changed();
