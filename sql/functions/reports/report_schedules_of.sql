-- The schedules of p_tenant for its Owners, Admins and MSSP Admins (the
-- recipients are addresses): who made each, when it runs next, and its
-- last run.
-- requires: tenant_visible, effective_role, billing_may_see
CREATE OR REPLACE FUNCTION report_schedules_of(p_tenant bigint)
RETURNS TABLE (id bigint, kind text, paper text, cadence text, delivery text, recipients text[], created_by text,
               next_run_at timestamptz, last_job bigint, last_state text, last_from date, last_to date)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT s.id, s.kind, s.paper, s.cadence, s.delivery, s.recipients, coalesce(u.name, u.email, 'deleted user'),
           s.next_run_at, j.id, j.state, j.period_from, j.period_to
      FROM report_schedules s
      LEFT JOIN users u ON u.id = s.created_by
      LEFT JOIN LATERAL (SELECT * FROM report_jobs x WHERE x.schedule_id = s.id
                          ORDER BY x.period_from DESC LIMIT 1) j ON true
     WHERE s.tenant_id = p_tenant AND (SELECT tenant_visible(p_tenant))
       AND coalesce(effective_role(p_tenant), '') IN ('owner', 'admin', 'mssp_admin')
       AND (s.kind <> 'billing' OR billing_may_see(p_tenant))
     ORDER BY s.created_at, s.id
$$;
REVOKE ALL ON FUNCTION report_schedules_of(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_schedules_of(bigint) TO portal_app;
