-- The Row-Level Security policies of report_schedules, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
-- requires: billing_may_see
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'report_schedules' LOOP
        EXECUTE format('DROP POLICY %I ON report_schedules', p);
    END LOOP;
END $$;

-- Read only: report_schedule_save() and report_schedule_delete() write.
-- A billing statement's schedule only for those who may see the billing.
CREATE POLICY report_schedules_visible ON report_schedules
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = report_schedules.tenant_id)
           AND (kind <> 'billing' OR billing_may_see(tenant_id)));
