-- The Row-Level Security policies of plan_shares, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'plan_shares' LOOP
        EXECUTE format('DROP POLICY %I ON plan_shares', p);
    END LOOP;
END $$;

-- Read only: every change goes through sql/functions/plans.
-- Seen by those who see the account it is shared with (the plan's owner's
-- admins see every account below it). Not by owner alone: an MSSP Analyst
-- sees the MSSP's row, not the MSPs it shares plans with.
CREATE POLICY plan_shares_visible ON plan_shares
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = plan_shares.tenant_id));
