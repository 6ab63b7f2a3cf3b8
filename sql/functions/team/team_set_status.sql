-- A member's status (active or suspended) in a tenant, set by the tenant's
-- Owners and admins; the last active Owner stays (memberships_keep_owner()).
CREATE OR REPLACE FUNCTION team_set_status(p_tenant bigint, p_user bigint, p_status text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    changed boolean;
BEGIN
    IF NOT tenant_visible(p_tenant) OR p_status NOT IN ('active', 'disabled')
       OR NOT EXISTS (SELECT 1 FROM memberships WHERE tenant_id = p_tenant AND user_id = p_user) THEN
        RETURN false;
    END IF;
    IF EXISTS (SELECT 1 FROM users WHERE id = p_user AND disabled_by_operator) THEN
        RAISE EXCEPTION 'operator_disabled' USING ERRCODE = 'P0001';
    END IF;
    IF EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = p_user
                AND NOT tenant_visible(m.tenant_id)) THEN
        RAISE EXCEPTION 'other_tenants' USING ERRCODE = 'P0001';
    END IF;
    IF p_status = 'disabled' AND EXISTS (
        SELECT 1 FROM memberships m WHERE m.user_id = p_user AND m.role IN ('owner', 'mssp_admin')
           AND m.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM memberships o JOIN users u ON u.id = o.user_id
                            WHERE o.tenant_id = m.tenant_id AND o.role = m.role AND o.user_id <> p_user
                              AND o.status = 'active' AND u.status = 'active')) THEN
        RAISE EXCEPTION 'a tenant must keep at least one active Owner'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'last_owner';
    END IF;
    UPDATE users SET status = p_status WHERE id = p_user AND status NOT IN ('invited', p_status);
    changed := FOUND;
    IF changed AND p_status = 'disabled' THEN
        DELETE FROM sessions WHERE user_id = p_user;
    END IF;
    RETURN changed;
END $$;
REVOKE ALL ON FUNCTION team_set_status(bigint, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION team_set_status(bigint, bigint, text) TO portal_app;
