-- The signed-in user's own memberships, suspended ones and those on
-- archived tenants included (they may leave them), with whether they are
-- the last active Owner (MSSP Admin) there, who cannot leave.
-- requires: app_user_id
CREATE OR REPLACE FUNCTION account_memberships()
RETURNS TABLE (tenant_id bigint, tenant_name text, kind text, tenant_active boolean, role text, status text,
               since timestamptz, last_owner boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.id, t.name, t.kind, t.status = 'active', m.role, m.status, m.created_at,
           m.role IN ('owner', 'mssp_admin') AND m.status = 'active'
           AND NOT EXISTS (SELECT 1 FROM memberships o JOIN users u ON u.id = o.user_id
                            WHERE o.tenant_id = m.tenant_id AND o.role = m.role AND o.user_id <> m.user_id
                              AND o.status = 'active' AND u.status = 'active')
      FROM memberships m JOIN tenants t ON t.id = m.tenant_id
     WHERE m.user_id = app_user_id()
     ORDER BY array_position(ARRAY['mssp','msp','company'], t.kind), lower(t.name), t.id
$$;
REVOKE ALL ON FUNCTION account_memberships() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION account_memberships() TO portal_app;
