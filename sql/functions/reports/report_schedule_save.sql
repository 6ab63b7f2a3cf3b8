-- A new schedule of p_tenant by the request's viewer, who must be its
-- Owner, Admin or MSSP Admin: its reports hold what they may see. The
-- schedule's id; -1 when the viewer may not; NULL when the tenant has 10
-- schedules already. A consolidated report of a company raises. A billing
-- statement's schedule is monthly (else it raises), of an account the
-- viewer may see the billing of (else -1).
-- requires: tenant_visible, effective_role, app_user_id, report_next_run, billing_may_see
CREATE OR REPLACE FUNCTION report_schedule_save(p_tenant bigint, p_kind text, p_paper text, p_cadence text,
                                                p_delivery text, p_recipients text[]) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    t tenants;
    id bigint;
BEGIN
    IF NOT tenant_visible(p_tenant)
       OR coalesce(effective_role(p_tenant), '') NOT IN ('owner', 'admin', 'mssp_admin')
       OR (p_kind = 'billing' AND NOT billing_may_see(p_tenant)) THEN
        RETURN -1;
    END IF;
    SELECT * INTO t FROM tenants WHERE tenants.id = p_tenant FOR UPDATE;
    IF p_kind = 'consolidated' AND t.kind = 'company' THEN
        RAISE EXCEPTION 'A consolidated report covers the customers of an MSP or MSSP.' USING ERRCODE = '22023';
    END IF;
    IF p_kind = 'billing' AND p_cadence <> 'monthly' THEN
        RAISE EXCEPTION 'A billing statement is made once a month.' USING ERRCODE = '22023';
    END IF;
    IF (SELECT count(*) FROM report_schedules s WHERE s.tenant_id = p_tenant) >= 10 THEN
        RETURN NULL;
    END IF;
    INSERT INTO report_schedules (tenant_id, root_id, created_by, kind, paper, cadence, delivery, recipients,
                                  next_run_at)
    VALUES (p_tenant, t.root_id, app_user_id(), p_kind, p_paper, p_cadence, p_delivery, p_recipients,
            report_next_run(p_cadence, now()))
    RETURNING report_schedules.id INTO id;
    RETURN id;
END $$;
REVOKE ALL ON FUNCTION report_schedule_save(bigint, text, text, text, text, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_schedule_save(bigint, text, text, text, text, text[]) TO portal_app;
