-- The triggers on plans that run config_changed(): a device's effective
-- configuration is read from it (config_effective(), api_key_auth()), and
-- the workers keep ETags of it until it changes (cgi/etag_cache.c).
-- requires: config_changed
CREATE OR REPLACE TRIGGER plans_config AFTER INSERT OR UPDATE OR DELETE ON plans
    FOR EACH STATEMENT EXECUTE FUNCTION config_changed();
CREATE OR REPLACE TRIGGER plans_config_truncate AFTER TRUNCATE ON plans
    FOR EACH STATEMENT EXECUTE FUNCTION config_changed();
