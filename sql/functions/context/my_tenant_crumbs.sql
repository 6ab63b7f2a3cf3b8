-- requires: tenant_crumbs
-- tenant_crumbs() for the transaction's user (a page after a write).
CREATE OR REPLACE FUNCTION my_tenant_crumbs(p_tenant bigint) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT tenant_crumbs(app_user_id(), p_tenant)
$$;
REVOKE ALL ON FUNCTION my_tenant_crumbs(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION my_tenant_crumbs(bigint) TO portal_app;
