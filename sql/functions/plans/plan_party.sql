-- A tenant named on a plan (its owner, the account it was shared with) as
-- the viewer may know it: {id, name} when they see it (scope_sees()), else
-- {"id": null, "name": "your provider"}: a company's people never learn
-- the names of the tenants above it they cannot open (white labelling).
CREATE OR REPLACE FUNCTION plan_party(p_id bigint, p_scope bigint[], p_exact bigint[]) RETURNS jsonb
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT CASE WHEN scope_sees(x.ancestors, x.id, p_scope, p_exact)
                THEN jsonb_build_object('id', x.id, 'name', x.name)
                ELSE jsonb_build_object('id', NULL, 'name', 'your provider') END
      FROM tenants x WHERE x.id = p_id
$$;
REVOKE ALL ON FUNCTION plan_party(bigint, bigint[], bigint[]) FROM PUBLIC;
