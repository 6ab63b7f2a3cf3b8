-- The triggers on tenants that run config_changed(): a device's effective
-- configuration is read from it (config_effective(), api_key_auth()), and
-- the workers keep ETags of it until it changes (cgi/etag_cache.c).
-- A new tenant changes no one's document (its own is not cached yet).
-- requires: config_changed
CREATE OR REPLACE TRIGGER tenants_config AFTER UPDATE OR DELETE ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION config_changed();
CREATE OR REPLACE TRIGGER tenants_config_truncate AFTER TRUNCATE ON tenants
    FOR EACH STATEMENT EXECUTE FUNCTION config_changed();
