-- The triggers on users that run config_changed(): a device's effective
-- configuration is read from it (config_effective(), api_key_auth()), and
-- the workers keep ETags of it until it changes (cgi/etag_cache.c).
-- Only a name counts (an override names who made it).
-- requires: config_changed
CREATE OR REPLACE TRIGGER users_config AFTER UPDATE OF name OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION config_changed();
CREATE OR REPLACE TRIGGER users_config_truncate AFTER TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION config_changed();
