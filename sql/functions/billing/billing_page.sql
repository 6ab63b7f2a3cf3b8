-- The Billing page of p_tenant (cgi/pages/billing.c; docs/billing.md,
-- "The Billing page"): its months, the statement of p_month ('YYYY-MM';
-- NULL: the latest) with its adjustments, the breakdown by MSP, a page of
-- 25 companies sorted by p_sort (name, msp, agents, probes, gateways,
-- amount; p_desc) and filtered to one MSP (p_msp; 0: all), the daily
-- counts as bars, and the price book. NULL when the viewer may not see
-- it (billing_may_see()); {"billed_above": true} for an MSP billed
-- through its MSSP; {"account": null} before the operator bills it.
-- requires: billing_may_see, billing_statement_view, billing_money
CREATE OR REPLACE FUNCTION billing_page(p_tenant bigint, p_month text, p_sort text, p_desc boolean, p_page int,
                                        p_msp bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
-- No JIT: the planner prices each jsonb_array_elements() at 100 rows, so a
-- statement of a few lines looks costly, and compiling it took 0.6 s.
SET jit = off AS $$
DECLARE
    t tenants;
    a billing_accounts;
    m date;
    doc jsonb;
    months jsonb;
    by_msp jsonb;
    rows jsonb;
    total int;
    chart jsonb;
    book jsonb;
    pg int := greatest(coalesce(p_page, 1), 1);
    sort text := CASE WHEN p_sort IN ('name', 'msp', 'tenants', 'agents', 'probes', 'gateways', 'amount')
                      THEN p_sort ELSE 'amount' END;
BEGIN
    SELECT * INTO t FROM tenants WHERE id = p_tenant;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    IF NOT billing_may_see(p_tenant) THEN
        IF t.parent_id IS NOT NULL AND t.kind = 'msp' AND effective_role(p_tenant) = 'owner' THEN
            RETURN jsonb_build_object('billed_above', true);
        END IF;
        RETURN NULL;
    END IF;
    SELECT * INTO a FROM billing_accounts WHERE tenant_id = p_tenant;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('account', NULL);
    END IF;
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'month', to_char(s.month, 'YYYY-MM'), 'label', to_char(s.month, 'FMMonth YYYY'), 'closed', s.closed,
               'due_text', billing_money((s.document->>'total')::numeric
                                         + coalesce((SELECT sum(j.amount) FROM billing_adjustments j
                                                      WHERE j.account_id = s.account_id AND j.month = s.month), 0)),
               'currency', s.document->>'currency') ORDER BY s.month DESC), '[]')
      INTO months FROM billing_statements s WHERE s.account_id = p_tenant;
    IF p_month ~ '^\d{4}-(0[1-9]|1[0-2])$' THEN
        m := to_date(p_month || '-01', 'YYYY-MM-DD');
    ELSE
        SELECT max(s.month) INTO m FROM billing_statements s WHERE s.account_id = p_tenant;
    END IF;
    doc := billing_statement_view(p_tenant, m);
    SELECT coalesce(jsonb_agg(x ORDER BY x.amount DESC, x.name), '[]') INTO by_msp FROM (
        SELECT b.msp_id AS id, coalesce(max(b.msp_name), 'Direct customers') AS name,
               count(*) FILTER (WHERE b.tenant_kind = 'company') AS companies,
               sum(b.agents) AS agents, sum(b.probes) AS probes, sum(b.gateways) AS gateways,
               sum(b.amount) AS amount, billing_money(sum(b.amount)) AS amount_text
          FROM billing_breakdown b WHERE b.account_id = p_tenant AND b.month = m
         GROUP BY b.msp_id) x;
    SELECT count(*) INTO total FROM billing_breakdown b
     WHERE b.account_id = p_tenant AND b.month = m AND (coalesce(p_msp, 0) = 0 OR b.msp_id = p_msp);
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'id', b.tenant_id, 'name', b.tenant_name, 'kind', b.tenant_kind, 'msp_id', b.msp_id,
               'msp', b.msp_name, 'days', b.days, 'tenants', b.tenants, 'agents', b.agents, 'probes', b.probes,
               'gateways', b.gateways, 'amount', b.amount, 'amount_text', billing_money(b.amount),
               'exists', EXISTS (SELECT 1 FROM tenants x WHERE x.id = b.tenant_id AND x.status = 'active'))
               ORDER BY o.ord), '[]')
      INTO rows
      FROM (SELECT b.*, row_number() OVER (ORDER BY
                CASE WHEN NOT p_desc THEN CASE sort WHEN 'name' THEN lower(b.tenant_name)
                                                    WHEN 'msp' THEN lower(coalesce(b.msp_name, '')) END END,
                CASE WHEN p_desc THEN CASE sort WHEN 'name' THEN lower(b.tenant_name)
                                                WHEN 'msp' THEN lower(coalesce(b.msp_name, '')) END END DESC,
                CASE WHEN NOT p_desc THEN CASE sort WHEN 'tenants' THEN b.tenants WHEN 'agents' THEN b.agents
                                                    WHEN 'probes' THEN b.probes WHEN 'gateways' THEN b.gateways
                                                    WHEN 'amount' THEN b.amount END END,
                CASE WHEN p_desc THEN CASE sort WHEN 'tenants' THEN b.tenants WHEN 'agents' THEN b.agents
                                                WHEN 'probes' THEN b.probes WHEN 'gateways' THEN b.gateways
                                                WHEN 'amount' THEN b.amount END END DESC,
                lower(b.tenant_name), b.tenant_id) AS ord
              FROM billing_breakdown b
             WHERE b.account_id = p_tenant AND b.month = m AND (coalesce(p_msp, 0) = 0 OR b.msp_id = p_msp)
             ORDER BY ord OFFSET (pg - 1) * 25 LIMIT 25) o
      JOIN billing_breakdown b ON b.account_id = o.account_id AND b.month = o.month AND b.tenant_id = o.tenant_id;
    -- The daily counts, a bar a day (12 units apart), per metric.
    SELECT coalesce(jsonb_agg(jsonb_build_object('metric', k.metric, 'label', k.label, 'max', k.mx,
               'bars', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                               'x', 70 + 12 * (d.ord - 1), 'y', 70 - CASE WHEN k.mx = 0 THEN 0 ELSE round(60.0 * d.n / k.mx) END,
                               'h', CASE WHEN k.mx = 0 THEN 0 ELSE round(60.0 * d.n / k.mx) END,
                               'day', d.day, 'n', d.n) ORDER BY d.ord), '[]')
                          FROM (SELECT (e->>'day') AS day, (e->>k.metric)::int AS n, o AS ord
                                  FROM jsonb_array_elements(doc->'daily') WITH ORDINALITY AS z(e, o)) d),
               'summary', format('%s per day, %s to %s, at most %s', lower(k.label), doc->>'from', doc->>'to', k.mx))
               ORDER BY k.o), '[]')
      INTO chart
      FROM (SELECT v.metric, v.label, v.o,
                   coalesce((SELECT max((e->>v.metric)::int) FROM jsonb_array_elements(doc->'daily') e), 0) AS mx
              FROM (VALUES ('tenants', 'Companies', 1), ('agents', 'Agents', 2), ('probes', 'Probes', 3),
                           ('gateways', 'Gateways', 4)) v(metric, label, o)) k
     WHERE doc IS NOT NULL;
    SELECT jsonb_build_object('name', b.name, 'versions', coalesce(jsonb_agg(jsonb_build_object(
               'from', v.effective_from, 'currency', v.currency, 'metering', v.metering,
               'metering_text', CASE v.metering WHEN 'max' THEN 'the highest daily count of the month'
                                                WHEN 'average' THEN 'the average daily count, rounded up'
                                                ELSE 'the count of the month''s last day' END,
               'minimum_text', billing_money(v.minimum),
               'metrics', (SELECT jsonb_agg(jsonb_build_object(
                               'label', CASE x.key WHEN 'tenants' THEN 'Companies' WHEN 'agents' THEN 'Agents'
                                                   WHEN 'probes' THEN 'Probes' ELSE 'Gateways' END,
                               'mode', x.value->>'mode',
                               'tiers', (SELECT jsonb_agg(jsonb_build_object(
                                             'range', CASE WHEN jsonb_typeof(tr->'up_to') = 'number'
                                                           THEN format('up to %s', tr->>'up_to') ELSE 'above' END,
                                             'price_text', billing_money((tr->>'price')::numeric)) ORDER BY tro)
                                           FROM jsonb_array_elements(x.value->'tiers') WITH ORDINALITY AS q(tr, tro)))
                               ORDER BY array_position(ARRAY['tenants', 'agents', 'probes', 'gateways'], x.key))
                             FROM jsonb_each(v.metrics) x)) ORDER BY v.effective_from DESC), '[]'))
      INTO book
      FROM price_books b JOIN price_book_versions v ON v.book_id = b.id
     WHERE b.id = a.book_id GROUP BY b.name;
    RETURN jsonb_build_object(
        'account', jsonb_build_object('id', t.id, 'name', t.name, 'kind', t.kind, 'time_zone', a.time_zone,
                                      'activity_days', a.activity_days, 'starts_on', a.starts_on),
        'months', months, 'month', to_char(m, 'YYYY-MM'), 'statement', doc, 'by_msp', by_msp,
        'companies', rows, 'companies_total', total, 'page', pg,
        'prev_page', CASE WHEN pg > 1 THEN pg - 1 END,
        'next_page', CASE WHEN pg * 25 < total THEN pg + 1 END,
        'sort', sort, 'desc', p_desc, 'msp', nullif(p_msp, 0), 'chart', chart, 'book', book);
END $$;
REVOKE ALL ON FUNCTION billing_page(bigint, text, text, boolean, int, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_page(bigint, text, text, boolean, int, bigint) TO portal_app;
