-- Who a plan reaches (docs/plans.md): the active accounts that follow it
-- (the accounts it is shared with and those below them, unless a plan is
-- shared nearer to them), each once, and whether it is a company (its
-- devices are then its tenant_stats row's: plan_page()). Its cost grows
-- with the accounts below the accounts it is shared with.
-- Set-wise, not plan_followed() for each of them (60 ms for the 20,197
-- accounts of a plan at L, now 26-46): which plan wins at an account
-- holding shares depends on that account's path only (a share whose owner
-- is above it, the nearest owner's), and an account follows the winner at
-- the nearest account on its path that holds one. So: the tree's accounts
-- holding a valid share with the plan that wins there, and below each one
-- whose plan this is, the active accounts with no such account nearer to
-- them. test_plans.py checks it against plan_followed() for every plan.
CREATE OR REPLACE FUNCTION plan_reach(p_plan bigint) RETURNS TABLE (tenant_id bigint, is_company boolean)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    WITH won AS MATERIALIZED (
        SELECT DISTINCT ON (s.tenant_id) s.tenant_id, s.plan_id
          FROM plan_shares s JOIN tenants h ON h.id = s.tenant_id
         WHERE s.root_id IN (SELECT r.root_id FROM plan_shares r WHERE r.plan_id = p_plan)
           AND array_position(h.ancestors, s.owner_id) < array_position(h.ancestors, s.tenant_id)
         ORDER BY s.tenant_id, array_position(h.ancestors, s.owner_id) DESC),
    holders AS (SELECT array_agg(w.tenant_id) AS ids FROM won w)
    SELECT x.id, x.kind = 'company'
      FROM won w CROSS JOIN holders
      JOIN tenants x ON x.ancestors @> ARRAY[w.tenant_id] AND x.status = 'active'
     WHERE w.plan_id = p_plan
       AND NOT (x.ancestors[array_position(x.ancestors, w.tenant_id) + 1:] && holders.ids)
$$;
REVOKE ALL ON FUNCTION plan_reach(bigint) FROM PUBLIC;
