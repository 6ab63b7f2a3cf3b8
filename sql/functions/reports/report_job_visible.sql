-- Who may see a report job (its row and its file): a report holds what the
-- person who asked may see, so it is theirs, and the tenant's admins'
-- (Owner, Admin, MSSP Admin: they see the whole tenant), never another
-- viewer's or analyst's of the same tenant, who may see less. The policy
-- on report_jobs and report_jobs_of() both ask this.
-- requires: visible_tenant_ids, effective_role, app_user_id
CREATE OR REPLACE FUNCTION report_job_visible(p_tenant bigint, p_requested_by bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT p_tenant IN (SELECT visible_tenant_ids())
           AND (p_requested_by = app_user_id()
                OR coalesce(effective_role(p_tenant), '') IN ('owner', 'admin', 'mssp_admin'))
$$;
REVOKE ALL ON FUNCTION report_job_visible(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_job_visible(bigint, bigint) TO portal_app;
