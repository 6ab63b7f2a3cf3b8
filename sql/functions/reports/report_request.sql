-- Ask for a report of p_tenant as the request's viewer (docs/reports.md,
-- "Reports page and jobs"): a queued job for the reporter.
-- The job's id; -1 when the viewer may not see the tenant; NULL when they
-- already have REPORT_PENDING_MAX (5) reports queued or running. A
-- consolidated report of a company, or a period that is not one, raises.
-- A billing statement (docs/billing.md, "The statement as a PDF") is of
-- an account the viewer may see the billing of (else -1) and of one
-- calendar month that is billed (else it raises).
-- requires: tenant_visible, app_user_id, billing_may_see
CREATE OR REPLACE FUNCTION report_request(p_tenant bigint, p_kind text, p_paper text, p_from date, p_to date)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    uid bigint := app_user_id();
    t tenants;
    job bigint;
BEGIN
    IF uid IS NULL OR NOT tenant_visible(p_tenant) THEN
        RETURN -1;
    END IF;
    SELECT * INTO t FROM tenants WHERE id = p_tenant;
    IF p_kind = 'consolidated' AND t.kind = 'company' THEN
        RAISE EXCEPTION 'A consolidated report covers the customers of an MSP or MSSP.' USING ERRCODE = '22023';
    END IF;
    IF p_kind = 'billing' THEN
        IF NOT billing_may_see(p_tenant) THEN
            RETURN -1;
        END IF;
        IF p_from <> date_trunc('month', p_from)::date
           OR p_to <> (date_trunc('month', p_from) + interval '1 month - 1 day')::date THEN
            RAISE EXCEPTION 'A billing statement covers one calendar month, from its first day to its last.'
                USING ERRCODE = '22023';
        END IF;
        IF NOT EXISTS (SELECT 1 FROM billing_statements s WHERE s.account_id = p_tenant AND s.month = p_from) THEN
            RAISE EXCEPTION 'There is no statement for %.', to_char(p_from, 'FMMonth YYYY') USING ERRCODE = '22023';
        END IF;
    END IF;
    -- one request at a time per person, so the count below holds
    PERFORM pg_advisory_xact_lock(hashtextextended('report_request:' || uid, 0));
    IF (SELECT count(*) FROM report_jobs WHERE requested_by = uid AND state IN ('queued', 'running')) >= 5 THEN
        RETURN NULL;
    END IF;
    INSERT INTO report_jobs (tenant_id, root_id, requested_by, kind, paper, period_from, period_to)
    VALUES (p_tenant, t.root_id, uid, p_kind, p_paper, p_from, p_to) RETURNING id INTO job;
    RETURN job;
END $$;
REVOKE ALL ON FUNCTION report_request(bigint, text, text, date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION report_request(bigint, text, text, date, date) TO portal_app;
