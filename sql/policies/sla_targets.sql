-- The Row-Level Security policies of sla_targets, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'sla_targets' LOOP
        EXECUTE format('DROP POLICY %I ON sla_targets', p);
    END LOOP;
END $$;

CREATE POLICY sla_targets_visible ON sla_targets
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = sla_targets.tenant_id))
    WITH CHECK (EXISTS (SELECT 1 FROM tenants t WHERE t.id = sla_targets.tenant_id));
