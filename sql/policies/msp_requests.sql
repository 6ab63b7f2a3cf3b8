-- The Row-Level Security policies of msp_requests, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'msp_requests' LOOP
        EXECUTE format('DROP POLICY %I ON msp_requests', p);
    END LOOP;
END $$;

CREATE POLICY msp_requests_visible ON msp_requests
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = msp_requests.mssp_id)
           OR EXISTS (SELECT 1 FROM tenants t WHERE t.id = msp_requests.msp_tenant_id));
