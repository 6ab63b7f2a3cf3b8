-- The highest tenants at or below p_id whose subtrees the scope sees
-- (app_scope()): the tenant itself when the scope sees its
-- subtree, else the assigned tenants below it that lie in no other
-- assigned subtree. Their rollups add up to what the scope sees below the
-- tenant. Called by the SECURITY DEFINER readers (dashboard_overview(),
-- read_plan()).
CREATE OR REPLACE FUNCTION scope_tops(p_id bigint, p_ancestors bigint[], p_scope bigint[]) RETURNS bigint[]
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_ancestors && p_scope THEN ARRAY[p_id]
                ELSE ARRAY(SELECT a.id FROM tenants a
                            WHERE a.id = ANY (p_scope) AND a.id <> p_id AND a.ancestors @> ARRAY[p_id]
                              AND NOT (a.ancestors[1:cardinality(a.ancestors) - 1] && p_scope)
                            ORDER BY a.id) END
$$;
REVOKE ALL ON FUNCTION scope_tops(bigint, bigint[], bigint[]) FROM PUBLIC;
