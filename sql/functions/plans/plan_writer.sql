-- The tenant a configuration change is made on, when the signed-in user
-- may change it: an active tenant whose whole subtree they see (the
-- route's PERM_SETTINGS says which roles; docs/plans.md). NULL otherwise.
CREATE OR REPLACE FUNCTION plan_writer(p_tenant bigint) RETURNS tenants
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE t tenants%ROWTYPE;
BEGIN
    IF app_user_id() IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT * INTO t FROM tenants x WHERE x.id = p_tenant AND x.status = 'active' AND x.ancestors && app_scope();
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    RETURN t;
END $$;
REVOKE ALL ON FUNCTION plan_writer(bigint) FROM PUBLIC;
