-- A statement's document as the Billing page, its JSON twin and the CSV
-- show it, made once when it is computed (billing_statement_compute()) and
-- stored beside it: each amount also as text (billing_money()), each
-- metric's label, each tier's range, the sums per MSP, and the daily
-- counts as bars (8 units apart, 60 high at the month's highest), per
-- metric. The month's adjustments are added when it is read
-- (billing_statement_view()).
-- requires: billing_money, billing_metric_label
CREATE OR REPLACE FUNCTION billing_statement_decorate(p_doc jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp
-- No JIT: the planner prices each jsonb_array_elements() at 100 rows, so a
-- statement of a few lines looks costly, and compiling it took 0.6 s.
SET jit = off AS $$
BEGIN
    RETURN p_doc || jsonb_build_object(
        'computed_at_text', to_char((p_doc->>'computed_at')::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
        'usage_text', billing_money((p_doc->>'usage')::numeric),
        'minimum_text', billing_money((p_doc->>'minimum')::numeric),
        'topup_text', billing_money((p_doc->>'topup')::numeric),
        'by_msp', coalesce((SELECT jsonb_agg(x || jsonb_build_object('amount_text', billing_money((x->>'amount')::numeric))
                                             ORDER BY xo)
                              FROM jsonb_array_elements(p_doc->'by_msp') WITH ORDINALITY AS w(x, xo)), '[]'),
        'chart', (SELECT coalesce(jsonb_agg(jsonb_build_object('metric', k.metric, 'label', k.label, 'max', k.mx,
               'bars', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                               'x', 70 + 8 * (d.ord - 1), 'y', 70 - CASE WHEN k.mx = 0 THEN 0 ELSE round(60.0 * d.n / k.mx) END,
                               'h', CASE WHEN k.mx = 0 THEN 0 ELSE round(60.0 * d.n / k.mx) END,
                               'day', d.day, 'n', d.n) ORDER BY d.ord), '[]')
                          FROM (SELECT (e->>'day') AS day, (e->>k.metric)::int AS n, o AS ord
                                  FROM jsonb_array_elements(p_doc->'daily') WITH ORDINALITY AS z(e, o)) d),
               'summary', format('%s per day, %s to %s, at most %s', lower(k.label), p_doc->>'from', p_doc->>'to', k.mx))
               ORDER BY k.o), '[]')
      FROM (SELECT v.metric, billing_metric_label(v.metric) AS label, v.o,
                   coalesce((SELECT max((e->>v.metric)::int) FROM jsonb_array_elements(p_doc->'daily') e), 0) AS mx
              FROM (VALUES ('tenants', 1), ('agents', 2), ('probes', 3), ('gateways', 4)) v(metric, o)) k),
        'parts', coalesce((
            SELECT jsonb_agg(p || jsonb_build_object(
                'minimum_text', billing_money((p->>'minimum')::numeric),
                'minimum_full_month_text', billing_money((p->>'minimum_full_month')::numeric),
                'usage_text', billing_money((p->>'usage')::numeric),
                'prorated', (p->>'fraction')::numeric < 1,
                'metrics', coalesce((
                    SELECT jsonb_agg(mt || jsonb_build_object(
                        'label', billing_metric_label(mt->>'metric'),
                        'amount_text', billing_money((mt->>'amount')::numeric),
                        'full_month_text', billing_money((mt->>'full_month')::numeric),
                        'lines', coalesce((
                            SELECT jsonb_agg(l || jsonb_build_object(
                                'range', CASE WHEN jsonb_typeof(l->'to') = 'number'
                                              THEN format('%s–%s', l->>'from', l->>'to')
                                              ELSE format('%s and above', l->>'from') END,
                                'price_text', billing_money((l->>'price')::numeric),
                                'amount_text', billing_money((l->>'amount')::numeric)) ORDER BY lo)
                              FROM jsonb_array_elements(mt->'lines') WITH ORDINALITY AS x(l, lo)), '[]'))
                        ORDER BY mo)
                      FROM jsonb_array_elements(p->'metrics') WITH ORDINALITY AS y(mt, mo)), '[]'))
                ORDER BY po)
              FROM jsonb_array_elements(p_doc->'parts') WITH ORDINALITY AS z(p, po)), '[]'));
END $$;
REVOKE ALL ON FUNCTION billing_statement_decorate(jsonb) FROM PUBLIC;
