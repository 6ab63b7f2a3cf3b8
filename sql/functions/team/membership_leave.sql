-- Leave one of one's own memberships, with its audit row in that tenant
-- (the caller may no longer see the tenant afterwards, or did not while
-- suspended, so the row is written here). The last active Owner is
-- refused by memberships_keep_owner() (check_violation). Returns the
-- tenant's name; NULL when the user has no membership there.
CREATE OR REPLACE FUNCTION membership_leave(p_tenant bigint, p_ip text) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m memberships%ROWTYPE;
    t tenants%ROWTYPE;
BEGIN
    DELETE FROM memberships x WHERE x.user_id = app_user_id() AND x.tenant_id = p_tenant RETURNING * INTO m;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT * INTO t FROM tenants WHERE id = p_tenant;
    INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, ip, details)
    VALUES (t.id, t.root_id, m.user_id, 'team.left', 'user:' || m.user_id, left(p_ip, 64),
            jsonb_build_object('role', m.role, 'status', m.status));
    RETURN t.name;
END $$;
REVOKE ALL ON FUNCTION membership_leave(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION membership_leave(bigint, text) TO portal_app;
