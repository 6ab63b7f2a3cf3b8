-- requires: role_on_path
-- The breadcrumbs above a tenant: the tenants on its path (root first, not
-- itself) that p_user may open, as [{id, name}] (NULL: none). Called by the
-- owner's functions only (request_context, my_tenant_crumbs). PL/pgSQL:
-- it runs on every page, and keeps its plan (identity_of.sql): the generic
-- one, forced (a custom plan at every call cost 137 us against 17 us in a
-- loop at L; docs/performance.md, "Session 23").
CREATE OR REPLACE FUNCTION tenant_crumbs(p_user bigint, p_tenant bigint) RETURNS json
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    t tenants%ROWTYPE;
    a user_access%ROWTYPE;
BEGIN
    SELECT * INTO t FROM tenants WHERE id = p_tenant;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT * INTO a FROM user_access WHERE user_id = p_user;   -- none: no role anywhere
    -- The k-th tenant on the path has the path's first k ids as its own
    -- ancestors: its role (tenant_role()) without reading it again.
    RETURN (SELECT json_agg(json_build_object('id', p.id, 'name', p.name) ORDER BY x.n)
              FROM unnest(t.ancestors[1:cardinality(t.ancestors) - 1]) WITH ORDINALITY AS x(id, n)
              JOIN tenants p ON p.id = x.id AND p.status = 'active'
             WHERE role_on_path(t.ancestors[1:x.n], a.tenants, a.roles, a.assigned) IS NOT NULL);
END $$;
REVOKE ALL ON FUNCTION tenant_crumbs(bigint, bigint) FROM PUBLIC;
