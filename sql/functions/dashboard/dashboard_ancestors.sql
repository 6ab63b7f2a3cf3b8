-- The tenants above t (root first) that scope sc / exact ex see, as
-- [{id, name, kind}]: the dashboard's path (dashboard_overview(),
-- dashboard_page()). Owner only, as dashboard_board().
CREATE OR REPLACE FUNCTION dashboard_ancestors(t tenants, sc bigint[], ex bigint[]) RETURNS json
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    IF cardinality(t.ancestors) < 2 THEN  -- a root (an MSSP's Global view): no statement for an empty path
        RETURN '[]';
    END IF;
    RETURN (SELECT coalesce(json_agg(json_build_object('id', a.id, 'name', a.name, 'kind', a.kind) ORDER BY p.n), '[]')
              FROM unnest(t.ancestors[1:cardinality(t.ancestors) - 1]) WITH ORDINALITY AS p(id, n)
              JOIN LATERAL (SELECT y.id, y.name, y.kind FROM tenants y
                             WHERE y.id = p.id AND scope_sees(y.ancestors, y.id, sc, ex) OFFSET 0) a ON true);
END $$;
REVOKE ALL ON FUNCTION dashboard_ancestors(tenants, bigint[], bigint[]) FROM PUBLIC;
