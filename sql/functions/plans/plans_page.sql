-- The Plans page of a tenant (docs/plans.md): the plan it follows (from
-- whom, shared with which account), and, for those who see its whole
-- subtree, the plans it owns with the accounts each is shared with. NULL
-- when the viewer may not see the tenant.
-- requires: plan_followed, plan_party
CREATE OR REPLACE FUNCTION plans_page(p_tenant bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t tenants%ROWTYPE;
    sc bigint[] := app_scope();
    ex bigint[] := app_exact();
    f record;
BEGIN
    SELECT * INTO t FROM tenants x WHERE x.id = p_tenant AND x.status = 'active';
    IF NOT FOUND OR NOT scope_sees(t.ancestors, t.id, sc, ex) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO f FROM plan_followed(t.ancestors);
    RETURN jsonb_build_object(
        'following', (SELECT jsonb_build_object('id', p.id, 'name', p.name, 'version', p.version,
                                                'updated_at', to_char(p.updated_at, 'YYYY-MM-DD HH24:MI'),
                                                'owner', plan_party(o.ancestors, o.id, o.name, sc, ex),
                                                'shared_with', plan_party(w.ancestors, w.id, w.name, sc, ex),
                                                'shared_at', to_char(f.shared_at, 'YYYY-MM-DD HH24:MI'),
                                                'own', p.tenant_id = t.id)
                        FROM plans p JOIN tenants o ON o.id = p.tenant_id JOIN tenants w ON w.id = f.shared_with
                       WHERE p.id = f.plan_id),
        'owned', CASE WHEN t.ancestors && sc THEN (
            SELECT coalesce(jsonb_agg(jsonb_build_object(
                       'id', p.id, 'name', p.name, 'version', p.version,
                       'updated_at', to_char(p.updated_at, 'YYYY-MM-DD HH24:MI'),
                       'cloned_from', (SELECT jsonb_build_object('id', c.id, 'name', c.name, 'version', p.cloned_version,
                                                                 'owner', (SELECT o.name FROM tenants o WHERE o.id = c.tenant_id))
                                         FROM plans c WHERE c.id = p.cloned_from),
                       'shares', (SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'name', a.name, 'kind', a.kind)
                                                            ORDER BY lower(a.name), a.id), '[]')
                                    FROM plan_shares s JOIN tenants a ON a.id = s.tenant_id
                                   WHERE s.plan_id = p.id AND s.owner_id = t.id))
                       ORDER BY lower(p.name), p.id), '[]')
              FROM plans p WHERE p.tenant_id = t.id) END);
END $$;
REVOKE ALL ON FUNCTION plans_page(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION plans_page(bigint) TO portal_app;
