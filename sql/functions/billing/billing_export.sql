-- The statement of p_month ('YYYY-MM'; NULL: the latest) of p_tenant as
-- the CSV has it
-- (GET /t/{id}/billing/export; docs/billing.md, "Export"), a line each:
-- every tier of every metric of every part ("charge"), the committed
-- minimum ("minimum") and its top-up, each adjustment, the total, the
-- sums per MSP ("msp"), then the breakdown, a line per tenant and metric with its quantity and a
-- "share" line with its part of the charge. No rows when the viewer may
-- not see it or the month has no statement.
-- requires: billing_may_see, billing_statement_view
CREATE OR REPLACE FUNCTION billing_export(p_tenant bigint, p_month text)
RETURNS TABLE (section text, part_from text, part_to text, tenant_id text, tenant text, msp text, metric text,
               quantity text, tier text, unit_price text, amount text, note text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
-- No JIT: the planner prices each jsonb_array_elements() at 100 rows, so a
-- statement of a few lines looks costly, and compiling it took 0.6 s.
SET jit = off AS $$
DECLARE
    m date;
    doc jsonb;
BEGIN
    IF NOT billing_may_see(p_tenant) THEN
        RETURN;
    END IF;
    IF p_month ~ '^\d{4}-(0[1-9]|1[0-2])$' THEN
        m := to_date(p_month || '-01', 'YYYY-MM-DD');
    ELSE
        SELECT max(s.month) INTO m FROM billing_statements s WHERE s.account_id = p_tenant;
    END IF;
    doc := billing_statement_view(p_tenant, m);
    IF doc IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT 'charge', p->>'from', p->>'to', NULL, NULL, NULL, mt->>'metric', mt->>'quantity', l->>'range',
           l->>'price', l->>'amount',
           format('%s; %s', mt->>'mode', mt->>'how')
      FROM jsonb_array_elements(doc->'parts') WITH ORDINALITY AS a(p, po),
           jsonb_array_elements(p->'metrics') WITH ORDINALITY AS b(mt, mo),
           jsonb_array_elements(mt->'lines') WITH ORDINALITY AS c(l, lo)
     ORDER BY po, mo, lo;
    RETURN QUERY
    SELECT 'metric', p->>'from', p->>'to', NULL, NULL, NULL, mt->>'metric', mt->>'quantity', NULL, NULL,
           mt->>'amount',
           CASE WHEN (p->>'fraction')::numeric < 1
                THEN format('%s a full month, for %s of %s days', mt->>'full_month', p->>'days', p->>'month_days')
                ELSE 'a full month' END
      FROM jsonb_array_elements(doc->'parts') WITH ORDINALITY AS a(p, po),
           jsonb_array_elements(p->'metrics') WITH ORDINALITY AS b(mt, mo)
     ORDER BY po, mo;
    RETURN QUERY
    SELECT 'minimum', p->>'from', p->>'to', NULL, NULL, NULL, NULL, NULL, NULL, NULL, p->>'minimum',
           format('committed minimum %s a full month', p->>'minimum_full_month')
      FROM jsonb_array_elements(doc->'parts') WITH ORDINALITY AS a(p, po) ORDER BY po;
    RETURN QUERY SELECT 'usage', doc->>'from', doc->>'to', NULL, NULL, NULL, NULL, NULL, NULL, NULL, doc->>'usage', NULL;
    RETURN QUERY SELECT 'topup', doc->>'from', doc->>'to', NULL, NULL, NULL, NULL, NULL, NULL, NULL, doc->>'topup',
                        'up to the committed minimum';
    RETURN QUERY
    SELECT 'adjustment', doc->>'from', doc->>'to', NULL, NULL, NULL, NULL, NULL, NULL, NULL, j->>'amount', j->>'reason'
      FROM jsonb_array_elements(doc->'adjustments') WITH ORDINALITY AS a(j, jo) ORDER BY jo;
    RETURN QUERY SELECT 'total', doc->>'from', doc->>'to', NULL, NULL, NULL, NULL, NULL, NULL, NULL, doc->>'due',
                        concat_ws(' ', doc->>'currency', CASE WHEN (doc->>'closed')::boolean THEN 'closed'
                                                              ELSE 'so far' END);
    RETURN QUERY
    SELECT 'msp', doc->>'from', doc->>'to', x->>'id', NULL, x->>'name', NULL, x->>'tenants', NULL, NULL, x->>'amount',
           format('%s companies, %s agents, %s probes, %s gateways', x->>'companies', x->>'agents', x->>'probes',
                  x->>'gateways')
      FROM jsonb_array_elements(doc->'by_msp') WITH ORDINALITY AS a(x, xo) ORDER BY xo;
    RETURN QUERY
    SELECT 'breakdown', doc->>'from', doc->>'to', b.tenant_id::text, b.tenant_name, b.msp_name, x.metric,
           x.q::text, NULL, NULL, CASE WHEN x.metric = 'share' THEN b.amount::text END,
           CASE WHEN x.metric = 'share' THEN format('%s days counted', b.days) END
      FROM billing_breakdown b
     CROSS JOIN LATERAL (VALUES (1, 'tenants', b.tenants), (2, 'agents', b.agents), (3, 'probes', b.probes),
                                (4, 'gateways', b.gateways), (5, 'share', NULL)) x(o, metric, q)
     WHERE b.account_id = p_tenant AND b.month = m
     ORDER BY lower(b.msp_name) NULLS FIRST, lower(b.tenant_name), b.tenant_id, x.o;
END $$;
REVOKE ALL ON FUNCTION billing_export(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_export(bigint, text) TO portal_app;
