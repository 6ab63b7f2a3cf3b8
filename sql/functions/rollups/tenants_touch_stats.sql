-- A renamed tenant: the tables above it and the breadcrumbs below it.
-- A moved one (an MSP joining an MSSP): the breadcrumbs below it (the
-- counters of its new ancestors are bumped by tenants_move_stats).
CREATE OR REPLACE FUNCTION tenants_touch_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.name IS DISTINCT FROM OLD.name OR NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
        PERFORM stats_touch(ARRAY(SELECT d.id FROM tenants d WHERE d.ancestors @> ARRAY[NEW.id] ORDER BY d.id));
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION tenants_touch_stats() FROM PUBLIC;
