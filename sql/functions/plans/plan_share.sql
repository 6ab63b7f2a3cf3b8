-- Share a plan of p_tenant with an account below it (p_on), or stop (not
-- p_on): the account and everything below it follow the plan unless a
-- plan is shared nearer to them (docs/plans.md). An account holds one
-- plan from each tenant above it: sharing another replaces it.
-- outcome: 'ok', 'unchanged', 'invalid' (message), 'not_found'.
-- requires: plan_writer
CREATE OR REPLACE FUNCTION plan_share(p_tenant bigint, p_plan bigint, p_target bigint, p_on boolean)
RETURNS TABLE (outcome text, message text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t tenants%ROWTYPE := plan_writer(p_tenant);
    a tenants%ROWTYPE;
    p plans%ROWTYPE;
    old bigint;
BEGIN
    SELECT * INTO p FROM plans x WHERE x.id = p_plan AND x.tenant_id = t.id;
    SELECT * INTO a FROM tenants x WHERE x.id = p_target AND x.status = 'active' AND t.id = ANY (x.ancestors)
                                     AND x.id <> t.id;
    IF t.id IS NULL OR p.id IS NULL OR a.id IS NULL THEN
        RETURN QUERY SELECT 'not_found', NULL::text;
        RETURN;
    END IF;
    SELECT s.plan_id INTO old FROM plan_shares s WHERE s.tenant_id = a.id AND s.owner_id = t.id FOR UPDATE;
    IF p_on THEN
        IF old = p.id THEN
            RETURN QUERY SELECT 'unchanged', NULL::text;
            RETURN;
        END IF;
        INSERT INTO plan_shares AS s (tenant_id, owner_id, root_id, plan_id, shared_by)
        VALUES (a.id, t.id, t.root_id, p.id, app_user_id())
        ON CONFLICT (tenant_id, owner_id) DO UPDATE SET plan_id = excluded.plan_id, shared_by = excluded.shared_by,
                                                       shared_at = now();
        INSERT INTO config_history (tenant_id, root_id, plan_id, version, action, target, actor)
        VALUES (t.id, t.root_id, p.id, p.version, 'share', a.id, app_user_id());
    ELSE
        IF old IS DISTINCT FROM p.id THEN
            RETURN QUERY SELECT 'unchanged', NULL::text;
            RETURN;
        END IF;
        DELETE FROM plan_shares s WHERE s.tenant_id = a.id AND s.owner_id = t.id;
        INSERT INTO config_history (tenant_id, root_id, plan_id, version, action, target, actor)
        VALUES (t.id, t.root_id, p.id, p.version, 'unshare', a.id, app_user_id());
    END IF;
    RETURN QUERY SELECT 'ok', NULL::text;
END $$;
REVOKE ALL ON FUNCTION plan_share(bigint, bigint, bigint, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION plan_share(bigint, bigint, bigint, boolean) TO portal_app;
