-- A membership or an assignment written or removed: the user's row (both
-- users' when an update moves a row from one user to another).
CREATE OR REPLACE FUNCTION user_access_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM user_access_refresh(OLD.user_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.user_id <> OLD.user_id) THEN
        PERFORM user_access_refresh(NEW.user_id);
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION user_access_sync() FROM PUBLIC;
