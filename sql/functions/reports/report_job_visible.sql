-- Who may see a report job (its row and its file): a report holds what the
-- person who asked may see, so it is theirs, and the tenant's admins'
-- (Owner, Admin, MSSP Admin: they see the whole tenant), never another
-- viewer's or analyst's of the same tenant, who may see less. A billing
-- statement (kind billing) is only for those who may see the account's
-- billing now (billing_may_see()), the person who asked included. The
-- policy on report_jobs and report_jobs_of() both ask this.
-- requires: tenant_visible, effective_role, app_user_id, billing_may_see
CREATE OR REPLACE FUNCTION report_job_visible(p_tenant bigint, p_requested_by bigint, p_kind text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT (SELECT tenant_visible(p_tenant))
           AND CASE WHEN p_kind = 'billing' THEN billing_may_see(p_tenant)
                    ELSE p_requested_by = app_user_id()
                         OR coalesce(effective_role(p_tenant), '') IN ('owner', 'admin', 'mssp_admin') END
$$;
REVOKE ALL ON FUNCTION report_job_visible(bigint, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_job_visible(bigint, bigint, text) TO portal_app;
