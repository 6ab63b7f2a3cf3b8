-- requires: tenant_role
-- The breadcrumbs above a tenant: the tenants on its path (root first, not
-- itself) that p_user may open, as [{id, name}] (NULL: none). Called by the
-- owner's functions only (request_context, my_tenant_crumbs).
CREATE OR REPLACE FUNCTION tenant_crumbs(p_user bigint, p_tenant bigint) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT json_agg(json_build_object('id', p.id, 'name', p.name) ORDER BY array_position(t.ancestors, p.id))
      FROM tenants t JOIN tenants p ON p.id = ANY (t.ancestors) AND p.id <> t.id AND p.status = 'active'
     WHERE t.id = p_tenant AND tenant_role(p_user, p.id) IS NOT NULL
$$;
REVOKE ALL ON FUNCTION tenant_crumbs(bigint, bigint) FROM PUBLIC;
