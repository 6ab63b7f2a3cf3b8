-- A month's statement as the reporter prints it (a report of kind
-- billing; docs/billing.md, "The statement as a PDF"), as the person who
-- asked may see it now: the account's tenant, the period (the month, in
-- the account's time zone) and billing_page() with the MSPs and the 400
-- tenants with the largest share. A month that has ended but is not
-- closed yet (the hourly job has not run since) is closed first. NULL
-- when the viewer may not see the account's billing or there is no
-- statement for the month.
-- requires: billing_may_see, billing_account_run, billing_page
CREATE OR REPLACE FUNCTION billing_document(p_tenant bigint, p_month date) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp SET jit = off AS $$
DECLARE
    a billing_accounts;
    t tenants;
    m date := date_trunc('month', p_month)::date;
    m_end date := (date_trunc('month', p_month) + interval '1 month - 1 day')::date;
    today date;
BEGIN
    IF NOT billing_may_see(p_tenant) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO a FROM billing_accounts WHERE tenant_id = p_tenant;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT * INTO t FROM tenants WHERE id = p_tenant;
    today := (now() AT TIME ZONE a.time_zone)::date;
    IF (m_end < today OR coalesce(a.ends_on < today, false))
       AND NOT EXISTS (SELECT 1 FROM billing_statements s WHERE s.account_id = p_tenant AND s.month = m AND s.closed) THEN
        PERFORM billing_account_run(p_tenant);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM billing_statements s WHERE s.account_id = p_tenant AND s.month = m) THEN
        RETURN NULL;
    END IF;
    RETURN jsonb_build_object(
        'tenant', jsonb_build_object('id', t.id, 'name', t.name, 'kind', t.kind, 'is_company', false),
        'period', jsonb_build_object('from', m, 'to', m_end, 'days', m_end - m + 1, 'zone', a.time_zone),
        'billing', billing_page(p_tenant, to_char(m, 'YYYY-MM'), 'amount', true, 1, 0, 400));
END $$;
REVOKE ALL ON FUNCTION billing_document(bigint, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_document(bigint, date) TO portal_reporter;
