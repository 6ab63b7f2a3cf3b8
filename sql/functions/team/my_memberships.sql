-- The header's tenants and the home page: where the user has a role.
-- requires: app_user_id
CREATE OR REPLACE FUNCTION my_memberships()
RETURNS TABLE (tenant_id bigint, tenant_name text, kind text, role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.id, t.name, t.kind, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id
     WHERE m.user_id = app_user_id() AND m.status = 'active'
     ORDER BY array_position(ARRAY['mssp','msp','company'], t.kind), t.name
$$;
REVOKE ALL ON FUNCTION my_memberships() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION my_memberships() TO portal_app;
