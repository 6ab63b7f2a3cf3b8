-- The Row-Level Security policies of billing_breakdown, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
-- requires: billing_may_see
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'billing_breakdown' LOOP
        EXECUTE format('DROP POLICY %I ON billing_breakdown', p);
    END LOOP;
END $$;

-- Not granted to portal_app (the pages read through billing_page()); were
-- it granted, a viewer would see only the accounts they may bill.
CREATE POLICY billing_breakdown_visible ON billing_breakdown USING (billing_may_see(account_id));
