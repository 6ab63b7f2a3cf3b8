-- The viewer's scope (the tenants of their active memberships other than
-- MSSP Analyst, an analyst's assigned tenants whose tree they are an
-- analyst of), with the API key's tenant from app_api_tenant(). Read from
-- the user's user_access row (sql/026: the memberships' triggers keep it
-- in the same transaction), the roots of the assigned tenants from
-- tenants, as they are now. Generic plans: a custom plan per call cost
-- more than the statement (docs/performance.md, "Session 22").
CREATE OR REPLACE FUNCTION app_scope() RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    r bigint[];
    uid bigint := app_user_id();
    a user_access%ROWTYPE;
BEGIN
    IF uid IS NULL THEN /* an API key, or no one: no memberships to read */
        r := ARRAY[app_api_tenant()];
        RETURN CASE WHEN r[1] IS NULL THEN '{}' ELSE r END;
    END IF;
    SELECT * INTO a FROM user_access x WHERE x.user_id = uid;
    IF NOT FOUND THEN
        RETURN '{}';
    END IF;
    -- No MSSP Analyst membership and no assignment (most viewers): every
    -- membership's tenant, as the statement below would give them,
    -- without running it (9 -> 6 us a call).
    IF NOT 'mssp_analyst' = ANY (a.roles) AND cardinality(a.tenants) = cardinality(a.roles)
       AND cardinality(a.assigned) = 0 THEN
        RETURN a.tenants;
    END IF;
    -- (one membership per tenant: no duplicates unless assignments add some)
    r := ARRAY(SELECT m.t FROM unnest(a.tenants, a.roles) AS m(t, role) WHERE m.role <> 'mssp_analyst');
    IF cardinality(a.assigned) > 0 THEN
        r := ARRAY(SELECT x FROM unnest(r) x
                   UNION
                   SELECT y.id FROM tenants y JOIN unnest(a.tenants, a.roles) AS m(t, role)
                                             ON m.t = y.root_id AND m.role = 'mssp_analyst'
                    WHERE y.id = ANY (a.assigned));
    END IF;
    RETURN r;
END $$;
REVOKE ALL ON FUNCTION app_scope() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_scope() TO portal_app;
