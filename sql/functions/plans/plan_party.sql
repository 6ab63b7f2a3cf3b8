-- A tenant named on a plan (its owner, the account it was shared with) as
-- the viewer may know it: {id, name} when they see it (scope_sees()), else
-- {"id": null, "name": "your provider"}: a company's people never learn
-- the names of the tenants above it they cannot open (white labelling).
-- p_ancestors, p_id, p_name: the tenant's row, which the caller has joined
-- (an expression, so the planner inlines it).
-- requires: scope_sees
CREATE OR REPLACE FUNCTION plan_party(p_ancestors bigint[], p_id bigint, p_name text, p_scope bigint[],
                                      p_exact bigint[]) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN public.scope_sees(p_ancestors, p_id, p_scope, p_exact)
                THEN pg_catalog.jsonb_build_object('id', p_id, 'name', p_name)
                ELSE pg_catalog.jsonb_build_object('id', NULL, 'name', 'your provider') END
$$;
REVOKE ALL ON FUNCTION plan_party(bigint[], bigint, text, bigint[], bigint[]) FROM PUBLIC;
