-- The Row-Level Security policies of report_links, all of them: the block below
-- drops whatever policies the table has, so one removed from this file
-- is gone once it runs again.
DO $$
DECLARE
    p name;
BEGIN
    FOR p IN SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = 'report_links' LOOP
        EXECUTE format('DROP POLICY %I ON report_links', p);
    END LOOP;
END $$;

-- Not granted to the app: written by report_mail_queue(), read by
-- report_link_file(). The policy is the wall should a grant ever appear.
CREATE POLICY report_links_visible ON report_links
    USING (EXISTS (SELECT 1 FROM tenants t WHERE t.id = report_links.tenant_id));
