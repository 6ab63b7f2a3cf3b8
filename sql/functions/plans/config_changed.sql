-- Tell the portal workers that a device's effective configuration, or
-- whether an API key may read it, may have changed: they drop the ETags
-- they keep (cgi/etag_cache.c; docs/plans.md, "Devices poll their
-- configuration"). A statement (or row) trigger on every table
-- config_effective() and api_key_auth() read; PostgreSQL sends a
-- transaction's identical notifications once, at its commit.
CREATE OR REPLACE FUNCTION config_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_notify('portal_config', '');
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION config_changed() FROM PUBLIC;
