-- Rewrites the user_access row of one user from their active memberships
-- and analyst assignments (role_on_path() reads it; the triggers of
-- user_access_sync() call this when those rows change).
CREATE OR REPLACE FUNCTION user_access_refresh(p_user bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO user_access (user_id, tenants, roles, assigned, scope)
    SELECT u.id, coalesce(m.tenants, '{}'), coalesce(m.roles, '{}'), coalesce(a.assigned, '{}'),
           coalesce(m.scope, '') || ';' || coalesce(array_to_string(a.assigned, ','), '')
      FROM users u
      CROSS JOIN LATERAL (SELECT array_agg(x.tenant_id ORDER BY x.tenant_id) AS tenants,
                                 array_agg(x.role ORDER BY x.tenant_id) AS roles,
                                 string_agg(x.tenant_id || ':' || x.role, ',' ORDER BY x.tenant_id) AS scope
                            FROM memberships x WHERE x.user_id = u.id AND x.status = 'active') m
      CROSS JOIN LATERAL (SELECT array_agg(y.tenant_id ORDER BY y.tenant_id) AS assigned
                            FROM analyst_assignments y WHERE y.user_id = u.id) a
     WHERE u.id = p_user
    ON CONFLICT (user_id) DO UPDATE
       SET tenants = EXCLUDED.tenants, roles = EXCLUDED.roles, assigned = EXCLUDED.assigned,
           scope = EXCLUDED.scope;
END $$;
REVOKE ALL ON FUNCTION user_access_refresh(bigint) FROM PUBLIC;
