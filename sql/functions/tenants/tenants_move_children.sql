-- When a tenant moves (an MSP joins an MSSP), its children follow.
CREATE OR REPLACE FUNCTION tenants_move_children() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.ancestors IS DISTINCT FROM OLD.ancestors THEN
        UPDATE tenants SET parent_id = parent_id WHERE parent_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION tenants_move_children() FROM PUBLIC;
