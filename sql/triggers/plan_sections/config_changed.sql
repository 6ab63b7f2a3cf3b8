-- The triggers on plan_sections that run config_changed(): a device's effective
-- configuration is read from it (config_effective(), api_key_auth()), and
-- the workers keep ETags of it until it changes (cgi/etag_cache.c).
-- requires: config_changed
CREATE OR REPLACE TRIGGER plan_sections_config AFTER INSERT OR UPDATE OR DELETE ON plan_sections
    FOR EACH STATEMENT EXECUTE FUNCTION config_changed();
CREATE OR REPLACE TRIGGER plan_sections_config_truncate AFTER TRUNCATE ON plan_sections
    FOR EACH STATEMENT EXECUTE FUNCTION config_changed();
