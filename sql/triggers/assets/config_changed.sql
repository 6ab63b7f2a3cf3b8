-- The triggers on assets that run config_changed(): a device's effective
-- configuration is read from it (config_effective(), api_key_auth()), and
-- the workers keep ETags of it until it changes (cgi/etag_cache.c).
-- A row trigger on the columns a document shows, when they change (an
-- ingest batch rewrites a row only when kind, name or address differ), so
-- the live feed does not empty the workers' ETags; a new device changes no
-- one's document.
-- requires: config_changed
CREATE OR REPLACE TRIGGER assets_config AFTER UPDATE OF tenant_id, external_id, kind, name ON assets
    FOR EACH ROW WHEN ((OLD.tenant_id, OLD.external_id, OLD.kind, OLD.name)
                       IS DISTINCT FROM (NEW.tenant_id, NEW.external_id, NEW.kind, NEW.name))
    EXECUTE FUNCTION config_changed('etags');
CREATE OR REPLACE TRIGGER assets_config_delete AFTER DELETE ON assets
    FOR EACH STATEMENT EXECUTE FUNCTION config_changed('etags');
CREATE OR REPLACE TRIGGER assets_config_truncate AFTER TRUNCATE ON assets
    FOR EACH STATEMENT EXECUTE FUNCTION config_changed('etags');
