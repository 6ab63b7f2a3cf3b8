-- The plan an account follows (docs/plans.md, "Who follows what"): of the
-- plans shared with it or with a tenant above it, the one shared nearest
-- to it; at the same account, the one whose owner is nearest. A share
-- whose owner is no longer above its account (a tenant moved) counts for
-- nothing. p_ancestors: the account's tenants.ancestors (root first, the
-- account last). No row: the account follows no plan.
-- No SET search_path, names qualified: the planner inlines it into its
-- callers (the owner's functions), where a call planned anew each time
-- cost a tenth of a millisecond per device poll and per account reached
-- (docs/performance.md, "Devices polling their configuration").
CREATE OR REPLACE FUNCTION plan_followed(p_ancestors bigint[])
RETURNS TABLE (plan_id bigint, owner_id bigint, shared_with bigint, shared_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT s.plan_id, s.owner_id, s.tenant_id, s.shared_at
      FROM public.plan_shares s
     WHERE s.tenant_id = ANY (p_ancestors)
       AND pg_catalog.array_position(p_ancestors, s.owner_id) < pg_catalog.array_position(p_ancestors, s.tenant_id)
     ORDER BY pg_catalog.array_position(p_ancestors, s.tenant_id) DESC,
              pg_catalog.array_position(p_ancestors, s.owner_id) DESC
     LIMIT 1
$$;
REVOKE ALL ON FUNCTION plan_followed(bigint[]) FROM PUBLIC;
