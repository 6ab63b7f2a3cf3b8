-- The Billing page of p_tenant (cgi/pages/billing.c; docs/billing.md,
-- "The statement"): its months, the statement of p_month ('YYYY-MM';
-- NULL: the latest) with its adjustments and its sums per MSP (the 20
-- largest; p_rows when more than 25), a page of p_rows tenants (25 on the
-- page, 400 in the PDF, billing_document()) sorted by p_sort (name,
-- agents, probes, gateways, amount; p_desc; each order read from its
-- index) and filtered to one MSP (p_msp; 0: all), the daily counts as
-- bars, and the price book. NULL when the viewer may not see
-- it (billing_may_see()); {"billed_above": true} for an MSP billed
-- through its MSSP; {"account": null} before the operator bills it.
-- requires: billing_may_see, billing_statement_view, billing_money, billing_metric_label
CREATE OR REPLACE FUNCTION billing_page(p_tenant bigint, p_month text, p_sort text, p_desc boolean, p_page int,
                                        p_msp bigint, p_rows int) RETURNS jsonb
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
    nrows int := least(greatest(coalesce(p_rows, 25), 1), 1000);
    sort text := CASE WHEN p_sort IN ('name', 'agents', 'probes', 'gateways', 'amount')
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
    total := CASE WHEN coalesce(p_msp, 0) = 0 THEN coalesce((doc->>'tenants_counted')::int, 0)
                  ELSE coalesce((SELECT (x->>'tenants')::int FROM jsonb_array_elements(doc->'by_msp') x
                                  WHERE (x->>'id')::bigint = p_msp), 0) END;
    -- The MSPs with the largest share (all of them in the CSV).
    by_msp := coalesce((SELECT jsonb_agg(x ORDER BY o) FROM jsonb_array_elements(doc->'by_msp') WITH ORDINALITY AS w(x, o)
                         WHERE o <= CASE WHEN nrows > 25 THEN nrows ELSE 20 END), '[]');
    -- A page in the order asked: every tenant, a range of that order's
    -- positions (pos_*, billing_statement_compute()) read from its index;
    -- one MSP's, its rows (few) sorted by the same positions.
    EXECUTE format($q$
        SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'id', b.tenant_id, 'name', b.tenant_name, 'kind', b.tenant_kind, 'msp_id', b.msp_id,
                   'msp', b.msp_name, 'days', b.days, 'tenants', b.tenants, 'agents', b.agents, 'probes', b.probes,
                   'gateways', b.gateways, 'amount', b.amount, 'amount_text', billing_money(b.amount),
                   'exists', EXISTS (SELECT 1 FROM tenants x WHERE x.id = b.tenant_id AND x.status = 'active'))
                   ORDER BY o), '[]')
          FROM (SELECT b.*, row_number() OVER () AS o FROM (
                  SELECT * FROM billing_breakdown b
                   WHERE b.account_id = $1 AND b.month = $2 %3$s
                   ORDER BY b.%1$I %2$s %4$s) b) b$q$,
        'pos_' || sort, CASE WHEN p_desc THEN 'DESC' ELSE 'ASC' END,
        CASE WHEN coalesce(p_msp, 0) <> 0 THEN 'AND b.msp_id = $3'
             WHEN p_desc THEN format('AND $3 = 0 AND b.%I BETWEEN $6 - $4 - $5 + 1 AND $6 - $4', 'pos_' || sort)
             ELSE format('AND $3 = 0 AND b.%I BETWEEN $4 + 1 AND $4 + $5', 'pos_' || sort) END,
        CASE WHEN coalesce(p_msp, 0) <> 0 THEN 'OFFSET $4 LIMIT $5' ELSE '' END)
      INTO rows USING p_tenant, m, coalesce(p_msp, 0), (pg - 1) * nrows, nrows, total;
    chart := doc->'chart';

    SELECT jsonb_build_object('name', b.name, 'versions', coalesce(jsonb_agg(jsonb_build_object(
               'from', v.effective_from, 'currency', v.currency, 'metering', v.metering,
               'metering_text', CASE v.metering WHEN 'max' THEN 'the highest daily count of the month'
                                                WHEN 'average' THEN 'the average daily count, rounded up'
                                                ELSE 'the count of the month''s last day' END,
               'minimum_text', billing_money(v.minimum),
               'metrics', (SELECT jsonb_agg(jsonb_build_object(
                               'label', billing_metric_label(x.key),
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
                                      'activity_days', a.activity_days, 'starts_on', a.starts_on,
                                      'ends_on', a.ends_on, 'billed_above', t.parent_id IS NOT NULL),
        'months', months, 'month', to_char(m, 'YYYY-MM'), 'statement', doc - 'by_msp', 'by_msp', by_msp,
        'msps_total', jsonb_array_length(coalesce(doc->'by_msp', '[]')),
        'msps_shown', jsonb_array_length(by_msp),
        'msps_more', jsonb_array_length(coalesce(doc->'by_msp', '[]')) > jsonb_array_length(by_msp),
        'companies', rows, 'companies_total', total, 'page', pg,
        'prev_page', CASE WHEN pg > 1 THEN pg - 1 END,
        'next_page', CASE WHEN pg * nrows < total THEN pg + 1 END, 'rows', nrows,
        'sort', sort, 'desc', p_desc, 'msp', nullif(p_msp, 0), 'chart', chart, 'book', book);
END $$;
REVOKE ALL ON FUNCTION billing_page(bigint, text, text, boolean, int, bigint, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION billing_page(bigint, text, text, boolean, int, bigint, int) TO portal_app;
