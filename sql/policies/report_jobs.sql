-- The Row-Level Security policies of report_jobs, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
-- requires: report_job_visible
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'report_jobs' LOOP
        EXECUTE format('DROP POLICY %I ON report_jobs', p);
    END LOOP;
END $$;

-- Read only (sql/functions/reports writes): report_job_visible().
CREATE POLICY report_jobs_visible ON report_jobs USING (report_job_visible(tenant_id, requested_by, kind));
