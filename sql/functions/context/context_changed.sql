
CREATE OR REPLACE FUNCTION context_changed() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_notify('portal_context', '');
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION context_changed() FROM PUBLIC;
