-- Who a plan reaches (docs/plans.md): the active accounts that follow it
-- (the accounts it is shared with and those below them, unless a plan is
-- shared nearer to them), each once, and whether it is a company (its
-- devices are then its tenant_stats row's: plan_page()). Its cost grows
-- with the accounts below the accounts it is shared with.
-- requires: plan_followed
CREATE OR REPLACE FUNCTION plan_reach(p_plan bigint) RETURNS TABLE (tenant_id bigint, is_company boolean)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT DISTINCT x.id, x.kind = 'company'
      FROM plan_shares s
      JOIN tenants x ON x.ancestors @> ARRAY[s.tenant_id] AND x.status = 'active'
     WHERE s.plan_id = p_plan
       AND (SELECT f.plan_id FROM plan_followed(x.ancestors) f) = p_plan
$$;
REVOKE ALL ON FUNCTION plan_reach(bigint) FROM PUBLIC;
