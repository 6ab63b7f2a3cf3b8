-- The Row-Level Security policies of config_history, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'config_history' LOOP
        EXECUTE format('DROP POLICY %I ON config_history', p);
    END LOOP;
END $$;

-- Read only: every change goes through sql/functions/plans.
CREATE POLICY config_history_visible ON config_history
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = config_history.tenant_id));
