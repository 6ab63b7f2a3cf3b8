-- A tenant created or moved. (A move updates each tenant below it too,
-- the trigger tenants_move (tenants_move_children()), after this trigger has run for the moved one:
-- each of them refreshes again with its new path.)
CREATE OR REPLACE FUNCTION tenants_brand() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.ancestors IS DISTINCT FROM OLD.ancestors THEN
        PERFORM tenant_brand_refresh(ARRAY[NEW.id]);
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION tenants_brand() FROM PUBLIC;
