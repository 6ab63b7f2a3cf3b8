-- Set how many days p_tenant keeps its reports (an Owner, Admin or MSSP
-- Admin of it): the tenants below it without a setting of their own
-- follow; the files already made are kept that long from when they were
-- made. false when the viewer may not.
-- requires: tenant_visible, effective_role, app_user_id, report_retention_days
CREATE OR REPLACE FUNCTION report_retention_set(p_tenant bigint, p_days int) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT tenant_visible(p_tenant)
       OR coalesce(effective_role(p_tenant), '') NOT IN ('owner', 'admin', 'mssp_admin') THEN
        RETURN false;
    END IF;
    INSERT INTO report_settings (tenant_id, root_id, retention_days, updated_by)
    SELECT id, root_id, p_days, app_user_id() FROM tenants WHERE id = p_tenant
    ON CONFLICT (tenant_id) DO UPDATE SET retention_days = excluded.retention_days,
        updated_by = excluded.updated_by, updated_at = now();
    UPDATE report_jobs j SET expires_at = j.finished_at + make_interval(days => report_retention_days(j.tenant_id))
      FROM tenants t
     WHERE t.id = j.tenant_id AND p_tenant = ANY (t.ancestors) AND j.state = 'done';
    RETURN true;
END $$;
REVOKE ALL ON FUNCTION report_retention_set(bigint, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_retention_set(bigint, int) TO portal_app;
