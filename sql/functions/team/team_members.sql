-- People with a membership on a tenant the current user may see.
-- requires: tenant_visible
CREATE OR REPLACE FUNCTION team_members(p_tenant bigint)
RETURNS TABLE (user_id bigint, email text, name text, status text, role text, created_at timestamptz,
               membership_status text, account_ours boolean, operator_disabled boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT u.id, u.email, u.name, u.status, m.role, m.created_at, m.status,
           NOT EXISTS (SELECT 1 FROM memberships o WHERE o.user_id = u.id
                        AND NOT tenant_visible(o.tenant_id)),
           u.disabled_by_operator
      FROM memberships m JOIN users u ON u.id = m.user_id
     WHERE m.tenant_id = p_tenant AND (SELECT tenant_visible(p_tenant))
     ORDER BY array_position(ARRAY['mssp_admin','owner','admin','mssp_analyst','analyst','viewer'], m.role), lower(u.name)
$$;
REVOKE ALL ON FUNCTION team_members(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION team_members(bigint) TO portal_app;
