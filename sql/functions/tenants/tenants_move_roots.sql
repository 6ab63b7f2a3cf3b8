
CREATE OR REPLACE FUNCTION tenants_move_roots() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
        PERFORM roots_follow(NEW.id);   -- (tenants_move, run first, gave the subtree its root)
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION tenants_move_roots() FROM PUBLIC;
