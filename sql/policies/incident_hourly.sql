-- The Row-Level Security policies of incident_hourly, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'incident_hourly' LOOP
        EXECUTE format('DROP POLICY %I ON incident_hourly', p);
    END LOOP;
END $$;

CREATE POLICY incident_hourly_visible ON incident_hourly
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = incident_hourly.tenant_id));
