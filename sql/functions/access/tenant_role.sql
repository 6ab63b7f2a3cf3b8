-- The role of a user on a tenant (NULL: none, the tenant is not theirs):
-- the nearest membership on its path other than MSSP Analyst, else MSSP
-- Analyst on its root for the root itself or an assigned subtree.
CREATE OR REPLACE FUNCTION tenant_role(p_user bigint, p_tenant bigint) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE r text;
BEGIN
    SELECT role_on_path(t.ancestors, a.tenants, a.roles, a.assigned) INTO r
      FROM tenants t LEFT JOIN user_access a ON a.user_id = p_user
     WHERE t.id = p_tenant;
    RETURN r;
END $$;
REVOKE ALL ON FUNCTION tenant_role(bigint, bigint) FROM PUBLIC;
