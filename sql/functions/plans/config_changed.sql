-- Tell the portal workers that a device's effective configuration, or
-- whether an API key may read it, may have changed: they drop the ETags
-- they keep (cgi/etag_cache.c; docs/plans.md, "Devices poll their
-- configuration"). A statement (or row) trigger on every table
-- config_effective() and api_key_auth() read; PostgreSQL sends a
-- transaction's identical notifications once, at its commit.
-- Unless the trigger passes 'etags' (api_keys and assets: a poll checks
-- its key and reads its device anew each time), the change may also alter
-- an account's document: config_generation is bumped, once per
-- transaction, so the documents config_poll() keeps stop counting (as the
-- owner: the app role renames tenants and users, and may not write it).
CREATE OR REPLACE FUNCTION config_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_notify('portal_config', '');
    IF TG_NARGS = 0 AND current_setting('portal.config_bumped', true) IS DISTINCT FROM 'on' THEN
        UPDATE config_generation SET generation = generation + 1;
        PERFORM set_config('portal.config_bumped', 'on', true);
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION config_changed() FROM PUBLIC;
