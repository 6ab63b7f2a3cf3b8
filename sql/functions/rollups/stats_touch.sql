-- A change the rollup counters do not see (a series, a name, a request):
-- bump the version of these tenants and their ancestors (stats_apply with
-- no deltas).
-- requires: stats_apply
CREATE OR REPLACE FUNCTION stats_touch(p_tenants bigint[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT stats_apply(jsonb_agg(jsonb_build_object('tenant_id', t))) FROM unnest(p_tenants) t
     HAVING count(*) > 0
$$;
REVOKE ALL ON FUNCTION stats_touch(bigint[]) FROM PUBLIC;
