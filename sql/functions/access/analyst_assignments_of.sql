-- Tenants assigned to the MSSP analysts of an MSSP (visible ones only).
-- requires: tenant_visible
CREATE OR REPLACE FUNCTION analyst_assignments_of(p_mssp bigint)
RETURNS TABLE (user_id bigint, tenant_id bigint, tenant_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT a.user_id, t.id, t.name FROM analyst_assignments a JOIN tenants t ON t.id = a.tenant_id
     WHERE t.root_id = p_mssp AND (SELECT tenant_visible(p_mssp))
     ORDER BY t.name
$$;
REVOKE ALL ON FUNCTION analyst_assignments_of(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analyst_assignments_of(bigint) TO portal_app;
