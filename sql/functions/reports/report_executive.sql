-- The executive report of p_tenant over the days p_from to p_to as the
-- request's viewer may see it: report_document() with the viewer's scope
-- (docs/reports.md, "What a report says"). NULL when the viewer may not
-- see the tenant or the period is not one.
-- requires: report_document
CREATE OR REPLACE FUNCTION report_executive(p_tenant bigint, p_from date, p_to date) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT report_document(p_tenant, p_from, p_to, app_scope(), app_exact())
$$;
REVOKE ALL ON FUNCTION report_executive(bigint, date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_executive(bigint, date, date) TO portal_app;
-- The reporter makes a job's report as the person who asked (report_job_identify()).
GRANT EXECUTE ON FUNCTION report_executive(bigint, date, date) TO portal_reporter;
