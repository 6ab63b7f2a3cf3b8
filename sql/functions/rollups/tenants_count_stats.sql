-- A tenant created, archived or restored counts (+1 / -1) for its parent
-- and the parent's ancestors. When an MSP joins an MSSP, tenants_move_stats
-- adds the MSP's own row (its companies among them) to the MSSP; the MSP
-- itself is counted here.
CREATE OR REPLACE FUNCTION tenants_count_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE n int := 0;
BEGIN
    IF NEW.parent_id IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' OR NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
        n := CASE WHEN NEW.status = 'active' THEN 1 ELSE 0 END;
    ELSIF NEW.status <> OLD.status THEN
        n := CASE WHEN NEW.status = 'active' THEN 1 ELSE -1 END;
    END IF;
    IF n <> 0 THEN
        PERFORM stats_apply(jsonb_build_array(jsonb_build_object('tenant_id', NEW.parent_id,
            'msps', CASE WHEN NEW.kind = 'msp' THEN n ELSE 0 END,
            'companies', CASE WHEN NEW.kind = 'company' THEN n ELSE 0 END)));
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION tenants_count_stats() FROM PUBLIC;
