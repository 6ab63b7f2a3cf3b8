-- The triggers on config_overrides that run config_changed(): a device's effective
-- configuration is read from it (config_effective(), api_key_auth()), and
-- the workers keep ETags of it until it changes (cgi/etag_cache.c).
-- requires: config_changed
CREATE OR REPLACE TRIGGER config_overrides_config AFTER INSERT OR UPDATE OR DELETE ON config_overrides
    FOR EACH STATEMENT EXECUTE FUNCTION config_changed();
CREATE OR REPLACE TRIGGER config_overrides_config_truncate AFTER TRUNCATE ON config_overrides
    FOR EACH STATEMENT EXECUTE FUNCTION config_changed();
