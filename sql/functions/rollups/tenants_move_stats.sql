-- When an MSP joins an MSSP, the MSSP's totals gain the MSP's (which
-- already include its companies').
CREATE OR REPLACE FUNCTION tenants_move_stats() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
        IF OLD.parent_id IS NOT NULL THEN
            RAISE EXCEPTION 'moving a tenant away from its parent is not supported' USING ERRCODE = 'check_violation';
        END IF;
        PERFORM stats_apply(jsonb_build_array(to_jsonb(s) || jsonb_build_object('tenant_id', NEW.parent_id)))
           FROM tenant_stats s WHERE s.tenant_id = NEW.id;
        -- The rows below the MSP now belong to the MSSP's tree.
        UPDATE assets SET root_id = NEW.root_id WHERE tenant_id IN (SELECT id FROM tenants WHERE NEW.id = ANY (ancestors));
        UPDATE vulnerabilities SET root_id = NEW.root_id WHERE tenant_id IN (SELECT id FROM tenants WHERE NEW.id = ANY (ancestors));
        UPDATE incidents SET root_id = NEW.root_id WHERE tenant_id IN (SELECT id FROM tenants WHERE NEW.id = ANY (ancestors));
        UPDATE api_keys SET root_id = NEW.root_id WHERE tenant_id IN (SELECT id FROM tenants WHERE NEW.id = ANY (ancestors));
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION tenants_move_stats() FROM PUBLIC;
