-- A tenant keeps at least one active Owner (MSSP Admin), an
-- active membership of an active account; suspending the last one is
-- refused like removing it or changing its role.
CREATE OR REPLACE FUNCTION memberships_keep_owner() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    top text;
BEGIN
    IF OLD.role NOT IN ('owner', 'mssp_admin') OR OLD.status <> 'active' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.role = OLD.role AND NEW.status = 'active' THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM tenants WHERE id = OLD.tenant_id) THEN
        RETURN NULL; -- the tenant itself is being deleted
    END IF;
    IF NOT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
                    WHERE m.tenant_id = OLD.tenant_id AND m.role = OLD.role AND m.status = 'active'
                      AND u.status = 'active') THEN
        top := CASE OLD.role WHEN 'owner' THEN 'Owner' ELSE 'MSSP Admin' END;
        RAISE EXCEPTION 'a tenant must keep at least one active %', top
            USING ERRCODE = 'check_violation', CONSTRAINT = 'last_owner';
    END IF;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION memberships_keep_owner() FROM PUBLIC;
