-- The Row-Level Security policies of plans, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'plans' LOOP
        EXECUTE format('DROP POLICY %I ON plans', p);
    END LOOP;
END $$;

-- Read only: every change goes through sql/functions/plans.
CREATE POLICY plans_visible ON plans USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = plans.tenant_id));
