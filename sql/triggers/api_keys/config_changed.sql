-- The triggers on api_keys that run config_changed(): a device's effective
-- configuration is read from it (config_effective(), api_key_auth()), and
-- the workers keep ETags of it until it changes (cgi/etag_cache.c).
-- A revoked key must not read a kept ETag; last_used_at does not count.
-- requires: config_changed
CREATE OR REPLACE TRIGGER api_keys_config AFTER UPDATE OF revoked_at, tenant_id, key_hash OR DELETE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION config_changed('etags');
CREATE OR REPLACE TRIGGER api_keys_config_truncate AFTER TRUNCATE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION config_changed('etags');
