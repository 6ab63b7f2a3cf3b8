
CREATE OR REPLACE FUNCTION memberships_drop_assignments() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF OLD.role = 'mssp_analyst' AND (TG_OP = 'DELETE' OR NEW.role <> 'mssp_analyst') THEN
        DELETE FROM analyst_assignments a USING tenants t
         WHERE a.user_id = OLD.user_id AND t.id = a.tenant_id AND t.root_id = OLD.tenant_id;
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION memberships_drop_assignments() FROM PUBLIC;
