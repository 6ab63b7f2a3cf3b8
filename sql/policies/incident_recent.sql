-- The Row-Level Security policies of incident_recent, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'incident_recent' LOOP
        EXECUTE format('DROP POLICY %I ON incident_recent', p);
    END LOOP;
END $$;

CREATE POLICY incident_recent_visible ON incident_recent
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = incident_recent.tenant_id));
