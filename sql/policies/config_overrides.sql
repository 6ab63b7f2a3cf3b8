-- The Row-Level Security policies of config_overrides, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'config_overrides' LOOP
        EXECUTE format('DROP POLICY %I ON config_overrides', p);
    END LOOP;
END $$;

-- Read only: every change goes through sql/functions/plans.
CREATE POLICY config_overrides_visible ON config_overrides
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = config_overrides.tenant_id));
