-- Delete schedule p_id of p_tenant (its Owner, Admin or MSSP Admin); the
-- reports it made stay. Its kind and cadence, or no row.
-- requires: tenant_visible, effective_role, billing_may_see
CREATE OR REPLACE FUNCTION report_schedule_delete(p_tenant bigint, p_id bigint)
RETURNS TABLE (kind text, cadence text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DELETE FROM report_schedules s
     WHERE s.id = p_id AND s.tenant_id = p_tenant AND (SELECT tenant_visible(p_tenant))
       AND coalesce(effective_role(p_tenant), '') IN ('owner', 'admin', 'mssp_admin')
       AND (s.kind <> 'billing' OR billing_may_see(p_tenant))
    RETURNING s.kind, s.cadence
$$;
REVOKE ALL ON FUNCTION report_schedule_delete(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_schedule_delete(bigint, bigint) TO portal_app;
