-- Why p_tenant may not have a new plan called p_name (NULL: it may): a
-- company shares with nobody; a name of 1 to 120 characters, not one of
-- its plans' already; at most 50 plans. (plan_create(), plan_clone().)
CREATE OR REPLACE FUNCTION plan_name_error(p_tenant tenants, p_name text) RETURNS text
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT CASE
        WHEN p_tenant.kind = 'company' THEN 'A company has no accounts below it to share a plan with.'
        WHEN length(btrim(coalesce(p_name, ''))) NOT BETWEEN 1 AND 120 THEN 'Give the plan a name of 1 to 120 characters.'
        WHEN EXISTS (SELECT 1 FROM plans x WHERE x.tenant_id = p_tenant.id AND x.name = btrim(p_name))
            THEN format('%s already has a plan called %s.', p_tenant.name, btrim(p_name))
        WHEN (SELECT count(*) FROM plans x WHERE x.tenant_id = p_tenant.id) >= 50
            THEN 'A tenant has at most 50 plans: rename and reuse one.'
    END
$$;
REVOKE ALL ON FUNCTION plan_name_error(tenants, text) FROM PUBLIC;
